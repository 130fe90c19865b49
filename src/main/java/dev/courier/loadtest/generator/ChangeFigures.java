package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.measure.ErrorTally;
import dev.courier.loadtest.measure.LatencyTracker;
import dev.courier.loadtest.report.Figures;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import java.util.concurrent.atomic.LongAdder;

/** What a run measures of its changes: how many of each kind, how they ended, and change→ack latency. */
final class ChangeFigures {

    private final LatencyTracker ackLatency = new LatencyTracker();
    private final ErrorTally errors = new ErrorTally();
    private final LongAdder edits = new LongAdder();
    private final LongAdder reactions = new LongAdder();
    private final LongAdder acked = new LongAdder();

    void started(OutgoingChange change) {
        (change instanceof OutgoingChange.Edit ? edits : reactions).increment();
    }

    void acked(long intendedNanos, long nowNanos) {
        ackLatency.record(intendedNanos, nowNanos);
        acked.increment();
    }

    void failed(Throwable failure) {
        errors.count(failure instanceof SendFailure f ? f.getMessage() : "transport error");
    }

    /** The figures so far; call once every change has ended. */
    LoadReport.Changes report(LoadOptions.ChangeMix mix) {
        ackLatency.closeInterval(); // moves what the last second recorded into the total
        long attempted = edits.sum() + reactions.sum();
        return new LoadReport.Changes(mix.editShare(), mix.reactShare(), attempted, edits.sum(), reactions.sum(),
                acked.sum(), errors.total(), Figures.share(errors.total(), attempted), errors.snapshot(),
                LatencySummary.of(ackLatency.total()));
    }
}
