package dev.courier.loadtest.measure;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.report.Figures;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import java.util.concurrent.atomic.LongAdder;

/**
 * A run with a busy group ({@link LoadOptions.BusyGroup}): which sends go to it, and the figures of the busy group
 * and of every other conversation, kept apart so that the report shows whether the one slowed the others.
 */
public final class BusyGroupFigures {

    /** One side of the split: its sends' outcomes and its deliveries' latency from intended send time. */
    private static final class Side {
        final LatencyTracker delivered = new LatencyTracker();
        final LongAdder acked = new LongAdder();
        final LongAdder failed = new LongAdder();

        LoadReport.BusyGroupSide report() {
            long ok = acked.sum();
            long bad = failed.sum();
            return new LoadReport.BusyGroupSide(ok, bad, Figures.share(bad, ok + bad),
                    LatencySummary.of(delivered.total()));
        }
    }

    private final LoadOptions.BusyGroup busyGroup;
    private final long conversationId;
    private final Side busy = new Side();
    private final Side others = new Side();

    public BusyGroupFigures(LoadOptions.BusyGroup busyGroup, long conversationId) {
        this.busyGroup = busyGroup;
        this.conversationId = conversationId;
    }

    /**
     * Whether send number {@code n} (from 0) goes to the busy group: of the first n sends exactly
     * {@code floor(n * share)} do, spread evenly, so that the busy group's rate follows the run's rate profile.
     */
    static boolean goesToBusyGroup(long n, double share) {
        return Math.floor((n + 1) * share) > Math.floor(n * share);
    }

    public boolean goesToBusyGroup(long n) {
        return goesToBusyGroup(n, busyGroup.share());
    }

    public void delivered(long conversation, long intendedNanos, long receivedNanos) {
        side(conversation).delivered.record(intendedNanos, receivedNanos);
    }

    public void outcome(long conversation, boolean acked) {
        (acked ? side(conversation).acked : side(conversation).failed).increment();
    }

    /** The figures so far; call once the run's deliveries have drained. */
    public LoadReport.BusyGroup report() {
        // Closing an interval moves what was recorded since the last one into the total.
        busy.delivered.closeInterval();
        others.delivered.closeInterval();
        return new LoadReport.BusyGroup(conversationId, busyGroup.size(), busyGroup.share(), busy.report(),
                others.report());
    }

    private Side side(long conversation) {
        return conversation == conversationId ? busy : others;
    }
}
