package dev.courier.loadtest;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Succeeded and failed sends per second of their intended send time, so that availability over a window
 * (a fault, a spike) counts the sends that were meant to happen in it, however late they finished.
 */
final class OutcomeBuckets {

    private final long startNanos;
    private final AtomicLongArray ok;
    private final AtomicLongArray failed;

    OutcomeBuckets(long startNanos, int seconds) {
        this.startNanos = startNanos;
        this.ok = new AtomicLongArray(seconds + 1);
        this.failed = new AtomicLongArray(seconds + 1);
    }

    void record(long intendedNanos, boolean succeeded) {
        int second = (int) Math.min(ok.length() - 1, Math.max(0, (intendedNanos - startNanos) / 1_000_000_000L));
        (succeeded ? ok : failed).incrementAndGet(second);
    }

    /** Succeeded and failed sends intended in [fromSecond, toSecond). */
    long[] between(long fromSecond, long toSecond) {
        long good = 0;
        long bad = 0;
        for (int s = (int) Math.max(0, fromSecond); s < Math.min(ok.length(), toSecond); s++) {
            good += ok.get(s);
            bad += failed.get(s);
        }
        return new long[] {good, bad};
    }

    /** The share of sends intended in [fromSecond, toSecond) that were acknowledged; 1 when there were none. */
    double availability(long fromSecond, long toSecond) {
        long[] counts = between(fromSecond, toSecond);
        long total = counts[0] + counts[1];
        return total == 0 ? 1.0 : (double) counts[0] / total;
    }
}
