package dev.courier.loadtest.generator;

import dev.courier.loadtest.measure.GeneratorLoad;
import java.util.concurrent.TimeUnit;

/**
 * When the pacer wakes for the next send: at its intended time, but not sooner than {@link #INTERVAL_NANOS} after the
 * last wake-up, so that at high rates it sends what has come due since then together. Each wake-up is a context
 * switch: in a profile of the whole 2-core machine that the server shares with the load tester, at 4,000 sends a
 * second (a wake-up each), half of the pacer thread's samples were in the kernel's task switch. A send is never
 * early; it is at most the interval late, which counts in its latency (from the intended time) and stays below the
 * lateness that reports the generator as falling behind ({@link GeneratorLoad#MIN_LATE_LIMIT_MS}).
 */
final class PacerWakeups {

    static final long INTERVAL_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    /** Before the first wake-up, far enough back that it never delays one. */
    private long lastWakeNanos = Long.MIN_VALUE;

    /** When to wake for a send intended at {@code intendedNanos}; at or before {@code nowNanos}: send now. */
    long wakeFor(long intendedNanos, long nowNanos) {
        if (intendedNanos <= nowNanos) {
            return nowNanos;
        }
        return Math.max(intendedNanos, lastWakeNanos + INTERVAL_NANOS);
    }

    /** The pacer woke from its sleep at {@code nowNanos}. */
    void wokeAt(long nowNanos) {
        lastWakeNanos = nowNanos;
    }
}
