package dev.courier.loadtest.measure;

import dev.courier.loadtest.report.Figures;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import dev.courier.web.ErrorCode;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * Sends the server refused with "not now": {@code 429} or {@code 503} over REST ({@code rate_limited},
 * {@code overloaded}, {@code unavailable}), the same codes in a socket's {@code error} frame. Times each refusal from
 * the send's intended time and from its actual send, since a server that sheds load has to refuse at once: a refusal
 * as slow as the sends it protects sheds nothing. Thread-safe for recording; {@link #closeInterval()} is called by
 * one ticker.
 */
public final class RefusalTracker {

    /** The contract's codes that travel with 429 or 503: one owner, {@link ErrorCode}. */
    private static final Set<String> REFUSAL_CODES = Arrays.stream(ErrorCode.values())
            .filter(c -> isRefusal(c.status())).map(ErrorCode::code).collect(Collectors.toUnmodifiableSet());

    private final LatencyTracker fromIntended = new LatencyTracker();
    private final LatencyTracker fromSent = new LatencyTracker();
    private final LongAdder withoutRetryAfter = new LongAdder();

    public static boolean isRefusal(int httpStatus) {
        return httpStatus == 429 || httpStatus == 503;
    }

    /** Whether a socket error frame's {@code code} is a refusal. */
    public static boolean isRefusal(String errorCode) {
        return REFUSAL_CODES.contains(errorCode);
    }

    /** The send intended at {@code intendedNanos} and sent at {@code sentNanos} was refused at {@code answeredNanos}. */
    public void refused(long intendedNanos, long sentNanos, long answeredNanos, boolean retryAfterGiven) {
        fromIntended.record(intendedNanos, answeredNanos);
        fromSent.record(sentNanos, answeredNanos);
        if (!retryAfterGiven) {
            withoutRetryAfter.increment();
        }
    }

    /** Refusals since the previous call, from their intended send time (microseconds); added to the run's total. */
    public Histogram closeInterval() {
        fromSent.closeInterval();
        return fromIntended.closeInterval();
    }

    /** The run's refusals, over {@code activeSeconds} of load. */
    public LoadReport.Refusals report(double activeSeconds) {
        LatencySummary send = LatencySummary.of(fromIntended.total());
        return new LoadReport.Refusals(send.count(), Figures.round(send.count() / Math.max(activeSeconds, 1e-9)),
                withoutRetryAfter.sum(), send, LatencySummary.of(fromSent.total()));
    }
}
