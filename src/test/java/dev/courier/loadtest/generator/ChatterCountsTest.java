package dev.courier.loadtest.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.report.Interval;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ChatterCountsTest {

    private static final LoadOptions.Chatter EVERY_10S = new LoadOptions.Chatter(0.01, 0, Duration.ofSeconds(1),
            Duration.ofSeconds(10));

    @Test
    void alternatingChatterIsOffFirstThenOnForAsLong() {
        assertThat(EVERY_10S.onAt(Duration.ofSeconds(9))).isFalse();
        assertThat(EVERY_10S.onAt(Duration.ofSeconds(10))).isTrue();
        assertThat(EVERY_10S.onAt(Duration.ofSeconds(19))).isTrue();
        assertThat(EVERY_10S.onAt(Duration.ofSeconds(20))).isFalse();
        assertThat(LoadOptions.Chatter.NONE.onAt(Duration.ofSeconds(3))).as("not alternating: always on").isTrue();
    }

    @Test
    void theComparisonSplitsTheSecondsByWindowLeavingOutTheFirstAfterEachSwitchAndTheDrain() {
        // 40 seconds of load: each second's latency is 1 ms while off and 5 ms while on; then a second of drain
        List<Interval> timeline = new ArrayList<>();
        List<Histogram> perSecond = new ArrayList<>();
        for (int t = 1; t <= 41; t++) {
            boolean on = EVERY_10S.onAt(Duration.ofSeconds(t - 1));
            Histogram h = new Histogram(3);
            h.recordValue(t == 41 ? 999_000 : on ? 5_000 : 1_000);
            perSecond.add(h);
            timeline.add(new Interval(t, t == 41 ? 0 : 100, 1, 1, 0, LatencySummary.of(h), LatencySummary.of(h),
                    LatencySummary.EMPTY, null, null));
        }

        LoadReport.ChatterComparison cmp = new ChatterCounts().report(EVERY_10S, 40, timeline, perSecond, perSecond)
                .comparison();

        assertThat(cmp.secondsOn()).isEqualTo(16);
        assertThat(cmp.secondsOff()).isEqualTo(16);
        assertThat(cmp.sendToDeliveredOn().max()).isEqualTo(5.0);
        assertThat(cmp.sendToDeliveredOff().max()).isEqualTo(1.0);
        assertThat(cmp.sendToAckOn().count()).isEqualTo(16);
    }
}
