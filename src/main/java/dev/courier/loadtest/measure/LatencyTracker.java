package dev.courier.loadtest.measure;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency from each message's intended send time to an event (its ack, or its delivery), in microseconds.
 * Thread-safe for recording; {@link #closeInterval()} is called by one ticker, which keeps the run's total.
 */
public final class LatencyTracker {

    public static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
    private Histogram recycled;

    /** Records {@code observedNanos - intendedNanos}; an event before its intended time counts as zero. */
    public void record(long intendedNanos, long observedNanos) {
        long micros = Math.max(0, (observedNanos - intendedNanos) / 1_000);
        recorder.recordValue(Math.min(micros, HIGHEST_MICROS));
    }

    /** The values recorded since the previous call, also added to the run's total. */
    public synchronized Histogram closeInterval() {
        Histogram interval = recorder.getIntervalHistogram(recycled);
        total.add(interval);
        recycled = null;
        return interval.copy();
    }

    public synchronized Histogram total() {
        return total.copy();
    }
}
