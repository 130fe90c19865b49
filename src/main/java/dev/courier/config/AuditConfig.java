package dev.courier.config;

import java.time.Duration;

/**
 * The infrastructure audit a node runs on its own ({@code --audit-interval}); {@code courier audit} runs the same
 * checks on demand.
 *
 * @param interval how often; zero turns the node's own audit off
 * @param firstAfter how long after the start the first one runs: late enough for every node to have registered
 */
public record AuditConfig(Duration interval, Duration firstAfter) {

    public AuditConfig {
        if (interval.isNegative() || (!interval.isZero() && interval.compareTo(Duration.ofSeconds(10)) < 0)) {
            throw new IllegalArgumentException("--audit-interval must be 0 (off) or at least 10s, got " + interval);
        }
        if (firstAfter.isNegative()) {
            throw new IllegalArgumentException("the first audit's delay must not be negative");
        }
    }

    public static AuditConfig every(Duration interval) {
        return new AuditConfig(interval, Duration.ofMinutes(1).compareTo(interval) < 0 ? Duration.ofMinutes(1)
                : interval);
    }

    /** What {@code serve} does unless told otherwise: every hour. */
    public static AuditConfig defaults() {
        return every(Duration.ofHours(1));
    }

    public static AuditConfig off() {
        return new AuditConfig(Duration.ZERO, Duration.ZERO);
    }

    public boolean enabled() {
        return !interval.isZero();
    }
}
