package dev.courier.db;

/**
 * How long this process was paused, not scheduled at all, between two {@link System#nanoTime()} readings: stopped
 * (SIGSTOP), frozen with its VM or container, swapped out, or halted by a stop-the-world collection. Nothing that
 * was running could make progress meanwhile, so time lost to a pause says nothing about what a lease's holder or the
 * database did: the leak sweep and the reachability probe leave it out of their judgements.
 */
public interface PausedTime {

    /** Knows of no pause (a pool opened without a detector, as in tools and most tests). */
    PausedTime NONE = (fromNanos, toNanos) -> 0;

    /** The paused nanoseconds within [{@code fromNanos}, {@code toNanos}], a pause still under way included. */
    long pausedNanos(long fromNanos, long toNanos);
}
