package dev.courier.config;

import java.time.Duration;

/**
 * How presence follows streams across the fleet.
 *
 * @param grace how long after a user's last stream on a node closes before the node lets the user go: a reconnect
 *              within it (to any node) shows nothing to the others. The contract allows at most 30 s.
 * @param lease how long a node's presence lease lasts without a renewal. A node renews it every third of a lease
 *              and sweeps the other nodes' expired ones as often, so the users of a node that died go offline within
 *              a lease and a third of one; the contract allows 60 s.
 */
public record PresenceConfig(Duration grace, Duration lease) {

    private static final Duration MAX_GRACE = Duration.ofSeconds(30);
    /** A lease and a third of one, the longest a dead node's users can stay online, stay within 60 s. */
    private static final Duration MAX_LEASE = Duration.ofSeconds(45);

    public static PresenceConfig defaults() {
        return new PresenceConfig(Duration.ofSeconds(15), Duration.ofSeconds(30));
    }

    public PresenceConfig {
        if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
            throw new IllegalArgumentException("--presence-grace must be between 0s and 30s, got " + grace);
        }
        if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(MAX_LEASE) > 0) {
            throw new IllegalArgumentException("--presence-lease must be between 1s and 45s, got " + lease);
        }
    }

    /** How often a node renews its lease, and sweeps the others' expired ones. */
    public Duration renewEvery() {
        return lease.dividedBy(3);
    }
}
