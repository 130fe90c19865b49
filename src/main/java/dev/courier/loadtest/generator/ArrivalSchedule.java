package dev.courier.loadtest.generator;

import dev.courier.loadtest.RateProfile;
import java.time.Duration;

/**
 * The intended send time of every message of a run, fixed in advance by a {@link RateProfile}. A sender that
 * falls behind still sends each message "late" against this schedule, and its latency counts from the intended
 * time, so a slow server cannot hide its latency by slowing the client down (no coordinated omission).
 *
 * <p>Not thread-safe: one pacer owns it.
 */
final class ArrivalSchedule {

    private final RateProfile profile;
    private final long startNanos;
    private final long endOffsetNanos;
    private final long maxArrivals;
    private long nextOffsetNanos;
    private long issued;

    ArrivalSchedule(RateProfile profile, long startNanos, Duration length, long maxArrivals) {
        this.profile = profile;
        this.startNanos = startNanos;
        this.endOffsetNanos = length.toNanos();
        this.maxArrivals = maxArrivals;
    }

    /** Whether another arrival falls inside the run's length and count bounds. */
    boolean hasNext() {
        return issued < maxArrivals && nextOffsetNanos < endOffsetNanos;
    }

    /** The intended time (in {@link System#nanoTime()} terms) of the next arrival; advances the schedule. */
    long next() {
        if (!hasNext()) {
            throw new IllegalStateException("the schedule is exhausted");
        }
        long offset = nextOffsetNanos;
        double rate = Math.max(RateProfile.MIN_RATE, profile.ratePerSecond(Duration.ofNanos(offset)));
        nextOffsetNanos = offset + Math.max(1L, Math.round(1_000_000_000d / rate));
        issued++;
        return startNanos + offset;
    }

    long issued() {
        return issued;
    }
}
