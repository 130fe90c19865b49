package dev.courier.loadtest.measure;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Succeeded and failed sends per second of their intended send time, so that availability over a window
 * (a fault, a spike) counts the sends that were meant to happen in it, however late they finished. Thread-safe for
 * recording; {@link #snapshot()} freezes the counts for the judge.
 */
public final class OutcomeBuckets {

    private final long startNanos;
    private final AtomicLongArray ok;
    private final AtomicLongArray failed;

    public OutcomeBuckets(long startNanos, int seconds) {
        this.startNanos = startNanos;
        this.ok = new AtomicLongArray(seconds + 1);
        this.failed = new AtomicLongArray(seconds + 1);
    }

    public void record(long intendedNanos, boolean succeeded) {
        int second = (int) Math.min(ok.length() - 1, Math.max(0, (intendedNanos - startNanos) / 1_000_000_000L));
        (succeeded ? ok : failed).incrementAndGet(second);
    }

    public OutcomesBySecond snapshot() {
        long[] good = new long[ok.length()];
        long[] bad = new long[failed.length()];
        for (int s = 0; s < good.length; s++) {
            good[s] = ok.get(s);
            bad[s] = failed.get(s);
        }
        return new OutcomesBySecond(good, bad);
    }
}
