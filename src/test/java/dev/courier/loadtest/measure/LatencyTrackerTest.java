package dev.courier.loadtest.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.report.LatencySummary;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyTrackerTest {

    private static final long MS = 1_000_000L;

    @Test
    void latencyCountsFromTheIntendedSendTimeNotFromWhenTheSendLeft() {
        LatencyTracker tracker = new LatencyTracker();
        long intended = 1_000 * MS;
        long actuallySent = intended + 240 * MS; // the client fell behind
        long acked = actuallySent + 10 * MS;

        tracker.record(intended, acked);

        Histogram h = tracker.closeInterval();
        assertThat(h.getTotalCount()).isEqualTo(1);
        assertThat(h.getMaxValue()).isBetween(249_000L, 251_000L); // microseconds: 250 ms, not 10 ms
    }

    @Test
    void aStalledServerShowsInEverySendItHeldUpNotInOneSample() {
        // 100 sends/s are planned; the server answers nothing for one second, then everything at once.
        LatencyTracker tracker = new LatencyTracker();
        long stallEnds = 1_000 * MS;
        for (long intended = 0; intended < stallEnds; intended += 10 * MS) {
            tracker.record(intended, stallEnds);
        }

        LatencySummary s = LatencySummary.of(tracker.closeInterval());
        assertThat(s.count()).isEqualTo(100);
        assertThat(s.p50()).isBetween(490.0, 520.0);
        assertThat(s.max()).isBetween(995.0, 1_001.0);
    }

    @Test
    void intervalsAddUpToTheRunsTotal() {
        LatencyTracker tracker = new LatencyTracker();
        tracker.record(0, 5 * MS);
        Histogram first = tracker.closeInterval();
        tracker.record(0, 7 * MS);
        tracker.record(0, 9 * MS);
        Histogram second = tracker.closeInterval();

        assertThat(first.getTotalCount()).isEqualTo(1);
        assertThat(second.getTotalCount()).isEqualTo(2);
        assertThat(tracker.total().getTotalCount()).isEqualTo(3);
    }
}
