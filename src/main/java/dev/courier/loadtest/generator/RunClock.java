package dev.courier.loadtest.generator;

import java.time.Duration;

/**
 * Where a run is in its time: when its load started, and whether it has been asked to end early. Written by the
 * ticker, read by the pacer on another thread.
 */
final class RunClock {

    private final long startNanos;
    private volatile boolean stopRequested;

    RunClock(long startNanos) {
        this.startNanos = startNanos;
    }

    /** When the first send was due, in {@link System#nanoTime()} terms. */
    long startNanos() {
        return startNanos;
    }

    Duration elapsedAt(long nanoTime) {
        return Duration.ofNanos(nanoTime - startNanos);
    }

    double secondsAt(long nanoTime) {
        return (nanoTime - startNanos) / 1e9;
    }

    /** The pacer sends nothing more; what is in flight still ends as usual. */
    void requestStop() {
        stopRequested = true;
    }

    boolean stopRequested() {
        return stopRequested;
    }
}
