package dev.courier.ops.alerts;

/** How urgently a person must act: {@code critical} pages, {@code warning} can wait for working hours. */
public enum Severity {
    critical,
    warning
}
