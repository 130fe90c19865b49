package dev.courier.loadtest.measure;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;
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

    /**
     * The values recorded since the previous call, also added to the run's total. Returned packed: a run keeps its
     * seconds' histograms to the end, and a full one of this range is about 170 KB of counts, most of them zero, so
     * the three a second a run keeps would fill the load tester's heap in an hour of soak; the packed form stores
     * only the counts a second has.
     */
    public synchronized Histogram closeInterval() {
        Histogram interval = recorder.getIntervalHistogram(recycled);
        total.add(interval);
        PackedHistogram kept = new PackedHistogram(interval); // the same range, empty
        kept.add(interval);
        recycled = interval;
        return kept;
    }

    public synchronized Histogram total() {
        return total.copy();
    }
}
