package dev.courier.ops.alerts;

import java.util.List;

/**
 * The checks that failed in the node's latest infrastructure audit, each as {@code check: figure}; what
 * {@code CourierAuditFailed} fires on. The audit runs on its own schedule (hourly): the alert holds its verdict
 * until the next audit says otherwise.
 */
@FunctionalInterface
public interface FailedAuditChecks {

    List<String> failed();

    /** For a node that runs no audit of its own. */
    FailedAuditChecks NONE = List::of;
}
