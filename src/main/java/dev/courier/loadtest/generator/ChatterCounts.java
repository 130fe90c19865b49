package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.report.Interval;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/** What the run's typing and reconnects did, and what the streams heard of them; counted from many threads. */
final class ChatterCounts {

    /** Seconds after each switch of alternating chatter left out of the comparison: reconnects and frames settle. */
    static final int SETTLE_SECONDS = 2;

    final LongAdder typingSent = new LongAdder();
    final LongAdder typingReceived = new LongAdder();
    final LongAdder cameOnline = new LongAdder();
    final LongAdder wentOffline = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder reconnectFailures = new LongAdder();
    /** Set when the load starts: the presence frames of the users' first streams, during the setup, are not counted. */
    private volatile boolean loadStarted;

    void loadStarted() {
        loadStarted = true;
    }

    void typingReceived() {
        if (loadStarted) {
            typingReceived.increment();
        }
    }

    void presenceReceived(boolean online) {
        if (loadStarted) {
            (online ? cameOnline : wentOffline).increment();
        }
    }

    /**
     * Null for a run without typing or reconnects, which has nothing to say here. The per-second histograms are the
     * run's, by the index of the timeline's intervals.
     */
    LoadReport.Chatter report(LoadOptions.Chatter options, double activeSeconds, List<Interval> timeline,
                              List<Histogram> ackPerSecond, List<Histogram> deliveredPerSecond) {
        if (!options.present()) {
            return null;
        }
        double seconds = Math.max(activeSeconds, 1e-9);
        return new LoadReport.Chatter(options.typingShare(), options.reconnectShare(),
                options.reconnectPause().toMillis() / 1000.0, typingSent.sum(), typingSent.sum() / seconds,
                typingReceived.sum(), reconnects.sum(), reconnectFailures.sum(), cameOnline.sum(), wentOffline.sum(),
                options.alternate().isZero() ? null : compare(options, timeline, ackPerSecond, deliveredPerSecond));
    }

    /** Merges each second's histograms into the chatter's on and off windows, without their settling seconds. */
    private static LoadReport.ChatterComparison compare(LoadOptions.Chatter options, List<Interval> timeline,
                                                        List<Histogram> ackPerSecond,
                                                        List<Histogram> deliveredPerSecond) {
        Histogram ackOn = new Histogram(3);
        Histogram ackOff = new Histogram(3);
        Histogram deliveredOn = new Histogram(3);
        Histogram deliveredOff = new Histogram(3);
        long window = options.alternate().toSeconds();
        int on = 0;
        int off = 0;
        for (int i = 0; i < timeline.size() && i < ackPerSecond.size() && i < deliveredPerSecond.size(); i++) {
            Interval interval = timeline.get(i);
            if (interval.targetRate() <= 0) {
                continue; // the drain after the last send
            }
            long startedAt = Math.max(0, interval.t() - 1);
            if (startedAt % window < SETTLE_SECONDS) {
                continue;
            }
            if (options.onAt(Duration.ofSeconds(startedAt))) {
                ackOn.add(ackPerSecond.get(i));
                deliveredOn.add(deliveredPerSecond.get(i));
                on++;
            } else {
                ackOff.add(ackPerSecond.get(i));
                deliveredOff.add(deliveredPerSecond.get(i));
                off++;
            }
        }
        return new LoadReport.ChatterComparison(window, SETTLE_SECONDS, on, off, LatencySummary.of(ackOn),
                LatencySummary.of(ackOff), LatencySummary.of(deliveredOn), LatencySummary.of(deliveredOff));
    }
}
