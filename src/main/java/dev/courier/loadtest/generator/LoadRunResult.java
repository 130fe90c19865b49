package dev.courier.loadtest.generator;

import dev.courier.loadtest.measure.OutcomesBySecond;
import dev.courier.loadtest.report.IntegrityReport;
import dev.courier.loadtest.report.Interval;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Everything a {@link LoadRun} measured, as it stood when the run ended; the judge reads it and nothing else. The
 * histograms are the run's own copies, which nothing writes any more: read them, do not add to them.
 *
 * @param startNanos               when the load started, in {@link System#nanoTime()} terms
 * @param activeSeconds            from the start of the load to its last send's end
 * @param failed                   failed sends, refusals included
 * @param errors                   the failed sends by kind, in the order of their names
 * @param sendToAck                over the whole run, from intended send time
 * @param sendToDelivered          likewise; meaningful only when {@link #deliveryMeasured()}
 * @param opening                  the first sends' latencies, as the totals
 * @param ackPerSecond             send→ack of each second of the timeline, in microseconds
 * @param deliveredPerSecond       send→delivered of each second of the timeline, in microseconds
 * @param sentToDeliveredPerSecond send→delivered counted from the actual sends, per second
 * @param busyGroup                null when the run had no busy group
 * @param changes                  the edits and reactions of the run's mix; null when it had none
 * @param chatter                  null when the run had no typing or reconnects
 * @param streamUnavailable        why deliveries could not be measured; null when they were
 */
public record LoadRunResult(
        Instant startedAt,
        long startNanos,
        double activeSeconds,
        int users,
        int conversations,
        long attempted,
        long acked,
        long failed,
        Map<String, Long> errors,
        LatencySummary sendToAck,
        LatencySummary sendToDelivered,
        LoadReport.Refusals refusals,
        LoadReport.Opening opening,
        List<Interval> timeline,
        List<Histogram> ackPerSecond,
        List<Histogram> deliveredPerSecond,
        List<Histogram> sentToDeliveredPerSecond,
        OutcomesBySecond outcomes,
        LoadReport.Generator generator,
        LoadReport.BusyGroup busyGroup,
        LoadReport.Changes changes,
        LoadReport.Chatter chatter,
        List<LoadReport.AppliedFault> appliedFaults,
        String streamUnavailable,
        IntegrityReport integrity) {

    public LoadRunResult {
        errors = Collections.unmodifiableMap(new TreeMap<>(errors));
        timeline = List.copyOf(timeline);
        ackPerSecond = List.copyOf(ackPerSecond);
        deliveredPerSecond = List.copyOf(deliveredPerSecond);
        sentToDeliveredPerSecond = List.copyOf(sentToDeliveredPerSecond);
        appliedFaults = List.copyOf(appliedFaults);
    }

    /** Whether deliveries were measured over the virtual users' streams. */
    public boolean deliveryMeasured() {
        return streamUnavailable == null;
    }
}
