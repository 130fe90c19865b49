package dev.courier.db;

/**
 * What the pool and its lease registry report to whoever watches them (metrics, alerts, incident timelines).
 * Listeners are registered with {@link Database#addListener}; they run on the thread that saw the event and must
 * return quickly.
 */
public sealed interface PoolEvent {

    /**
     * A lease is a suspected leak, named by its call site: no callback runs with it any more, it outlived its scope,
     * or its thread has done no database work for the warning threshold.
     */
    record LeakSuspected(Lease lease, long heldMillis) implements PoolEvent {
    }

    /**
     * A lease has been held past the warning threshold by a callback that still runs, waiting for {@code cause}:
     * saturation, not a leak. Reported once per lease.
     */
    record SlowHold(Lease lease, long heldMillis, Saturation cause) implements PoolEvent {
    }

    /** A lease was taken back: its transaction rolled back, its connection closed and evicted from the pool. */
    record LeakReclaimed(Lease lease, long heldMillis, String reason) implements PoolEvent {
    }

    /** A caller got no connection within the acquisition deadline and was answered "overloaded". */
    record AcquisitionTimedOut(String callSite, long waitedMillis) implements PoolEvent {
    }

    /** The database stopped answering (connection refused, reset, or a failed health probe). */
    record DatabaseUnreachable(String detail) implements PoolEvent {
    }

    /** The database answers again after being unreachable. */
    record DatabaseReachable() implements PoolEvent {
    }

    /**
     * PostgreSQL refused a statement for lack of resources (disk full, out of memory): it still answers, but cannot
     * take writes. {@code detail} is its message, with the SQLSTATE. Reported at most once every 10 s.
     */
    record WritesRefused(String detail) implements PoolEvent {
    }
}
