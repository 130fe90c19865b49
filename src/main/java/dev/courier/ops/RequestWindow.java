package dev.courier.ops;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Requests, 5xx answers and requests slower than the latency objective, per second over a sliding window: what the
 * error-rate and latency alerts read. Constant memory: one slot per second of the window.
 *
 * <p>Thread-safe; each request takes a short lock (three additions), which costs less than the request's own
 * log line.
 */
public final class RequestWindow implements Consumer<RequestOutcome> {

    /** Sums over a window. */
    public record Totals(long requests, long errors, long slow) {

        public double errorShare() {
            return requests == 0 ? 0 : (double) errors / requests;
        }

        public double slowShare() {
            return requests == 0 ? 0 : (double) slow / requests;
        }
    }

    private final long slowNanos;
    private final long[] second;
    private final long[] requests;
    private final long[] errors;
    private final long[] slow;

    public RequestWindow(Duration window, Duration latencyObjective) {
        int slots = (int) Math.max(1, window.toSeconds()) + 1;
        this.slowNanos = latencyObjective.toNanos();
        this.second = new long[slots];
        this.requests = new long[slots];
        this.errors = new long[slots];
        this.slow = new long[slots];
    }

    @Override
    public void accept(RequestOutcome outcome) {
        record(System.currentTimeMillis() / 1000, outcome.failed(), outcome.nanos() > slowNanos);
    }

    synchronized void record(long epochSecond, boolean failed, boolean tooSlow) {
        int i = (int) (epochSecond % second.length);
        if (second[i] != epochSecond) {
            second[i] = epochSecond;
            requests[i] = 0;
            errors[i] = 0;
            slow[i] = 0;
        }
        requests[i]++;
        if (failed) {
            errors[i]++;
        }
        if (tooSlow) {
            slow[i]++;
        }
    }

    /** Totals of the last {@code seconds} seconds, the current one included. */
    public Totals last(int seconds) {
        return totalsAt(System.currentTimeMillis() / 1000, seconds);
    }

    synchronized Totals totalsAt(long nowSecond, int seconds) {
        long oldest = nowSecond - Math.min(seconds, second.length) + 1;
        long r = 0;
        long e = 0;
        long s = 0;
        for (int i = 0; i < second.length; i++) {
            if (second[i] >= oldest && second[i] <= nowSecond) {
                r += requests[i];
                e += errors[i];
                s += slow[i];
            }
        }
        return new Totals(r, e, s);
    }
}
