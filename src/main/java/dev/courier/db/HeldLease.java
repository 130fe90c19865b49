package dev.courier.db;

/**
 * A lease as the registry sees it at one instant: the borrow, what its holder is doing, and what the leak sweep
 * made of it.
 *
 * @param lease       the borrow: call site, thread, since when
 * @param inStatement its holder is inside a statement right now, waiting for PostgreSQL
 * @param leaking     the sweep reported it as a leak
 * @param saturation  what it was waiting for when the sweep saw it held past the warning threshold by work still
 *                    running, or null when the sweep has not seen that (or reported it as a leak since)
 */
public record HeldLease(Lease lease, boolean inStatement, boolean leaking, Saturation saturation) {

    public String callSite() {
        return lease.callSite();
    }

    public long heldMillis(long nowNanos) {
        return lease.heldMillis(nowNanos);
    }
}
