package dev.courier.db;

import java.time.Instant;

/**
 * One borrowed connection: which operation holds it, on which thread, since when.
 *
 * @param id         unique within this process, for log lines
 * @param callSite   the operation that asked for the connection, e.g. {@code messages.send}
 * @param thread     the borrowing thread's name
 * @param startNanos {@link System#nanoTime()} at borrow
 * @param startedAt  wall-clock time at borrow
 * @param borrower   where in the code the borrow happened, so a leak report can show it (one stack per code
 *                   location: see {@link BorrowerStacks})
 */
public record Lease(long id, String callSite, String thread, long startNanos, Instant startedAt, Throwable borrower) {

    public long heldMillis(long nowNanos) {
        return (nowNanos - startNanos) / 1_000_000;
    }
}
