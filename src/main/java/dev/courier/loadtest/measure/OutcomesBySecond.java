package dev.courier.loadtest.measure;

/**
 * Succeeded and failed sends per second of their intended send time, as they stood when a run ended: what
 * availability over a window and the time to recover are judged on. Immutable.
 */
public final class OutcomesBySecond {

    private final long[] ok;
    private final long[] failed;

    OutcomesBySecond(long[] ok, long[] failed) {
        this.ok = ok.clone();
        this.failed = failed.clone();
    }

    /** Succeeded and failed sends intended in [fromSecond, toSecond). */
    public long[] between(long fromSecond, long toSecond) {
        long good = 0;
        long bad = 0;
        for (int s = (int) Math.max(0, fromSecond); s < Math.min(ok.length, toSecond); s++) {
            good += ok[s];
            bad += failed[s];
        }
        return new long[] {good, bad};
    }

    /** The share of sends intended in [fromSecond, toSecond) that were acknowledged; 1 when there were none. */
    public double availability(long fromSecond, long toSecond) {
        long[] counts = between(fromSecond, toSecond);
        long total = counts[0] + counts[1];
        return total == 0 ? 1.0 : (double) counts[0] / total;
    }
}
