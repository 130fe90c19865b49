package dev.courier.loadtest.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.Scenario;
import dev.courier.loadtest.Transport;
import dev.courier.loadtest.measure.LatencyTracker;
import dev.courier.loadtest.report.GeneratorSample;
import dev.courier.loadtest.report.Interval;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RampJudgementTest {

    /** Ramp from 10/s, doubling every 3 s, p99 objective 50 ms, no errors allowed. */
    private static final LoadOptions RAMP = new LoadOptions(URI.create("http://127.0.0.1:1"), false, Scenario.RAMP,
            Transport.REST, 10, Duration.ofSeconds(60), 1_000_000, 4, 0, 2, LoadOptions.BusyGroup.NONE, Duration.ofMillis(50), 0.0,
            Duration.ofSeconds(3), 2, 0.2, Optional.empty(), Duration.ZERO, Optional.empty(), Optional.empty());

    private final List<Interval> timeline = new ArrayList<>();
    private final List<Histogram> latency = new ArrayList<>();

    /** Three seconds at {@code rate}, each acknowledged {@code ackShare} of it with the given latency. */
    private void step(double rate, double ackShare, long latencyMs, long errors) {
        step(rate, ackShare, latencyMs, errors, null);
    }

    /** The same, with the generator's view of each of the three seconds, or none. */
    private void step(double rate, double ackShare, long latencyMs, long errors, double[] stolenPerSecond) {
        for (int s = 0; s < 3; s++) {
            Histogram h = new Histogram(LatencyTracker.HIGHEST_MICROS, 3);
            long acked = Math.round(rate * ackShare);
            for (long i = 0; i < acked; i++) {
                h.recordValue(latencyMs * 1_000);
            }
            latency.add(h);
            timeline.add(new Interval(timeline.size() + 1, rate, (long) rate, acked, errors, LatencySummary.of(h),
                    LatencySummary.of(h), LatencySummary.EMPTY, null, stolenPerSecond == null ? null
                    : new GeneratorSample(0.2, latencyMs, 0.3, 0.6, stolenPerSecond[s])));
        }
    }

    @Test
    void eachStepCarriesTheShareOfTheHostsCpuStolenInItsJudgedSeconds() {
        step(10, 1.0, 5, 0, new double[] {0.9, 0.1, 0.2});  // the first second carries the step before: not judged
        step(20, 1.0, 80, 0, new double[] {0, 0.3, -1});   // a second the host could not tell
        step(40, 1.0, 5, 0);                                 // no generator figures at all

        assertThat(RampJudge.ramp(RAMP, timeline, latency, List.of()).steps())
                .extracting(LoadReport.RampStep::hostStolen).containsExactly(0.15, 0.3, -1.0);
    }

    @Test
    void theHighestStepMeetingEveryObjectiveIsTheAnswerAndOnceAStepPassedTwoMissesEndTheRamp() {
        step(10, 1.0, 5, 0);
        step(20, 1.0, 80, 0);   // one noisy step: missed, but the ramp goes on
        assertThat(RampJudge.shouldStop(RAMP, timeline, latency)).isFalse();
        step(40, 1.0, 20, 0);
        step(80, 0.5, 10, 0);   // fast, but only half the rate acknowledged: not sustained
        step(160, 1.0, 10, 3);  // errors
        assertThat(RampJudge.shouldStop(RAMP, timeline, latency)).isTrue();

        LoadReport.Ramp ramp = RampJudge.ramp(RAMP, timeline, latency, List.of());

        assertThat(ramp.steps()).extracting(LoadReport.RampStep::passed)
                .containsExactly(true, false, true, false, false);
        assertThat(ramp.highestPassingRate()).isEqualTo(40);
        assertThat(ramp.sustainedThroughput()).isEqualTo(40);
        assertThat(ramp.p99AtHighestMs()).isBetween(19.9, 20.1);
    }

    @Test
    void noisyMissesBeforeAnyPassDoNotEndTheRampAndTheLaterPassIsTheAnswer() {
        step(10, 1.0, 80, 0);   // the host's scheduling hiccups: p99 over the objective at a trickle
        step(20, 1.0, 90, 0);
        assertThat(RampJudge.shouldStop(RAMP, timeline, latency)).isFalse();
        step(40, 1.0, 20, 0);
        step(80, 1.0, 30, 0);
        assertThat(RampJudge.shouldStop(RAMP, timeline, latency)).isFalse();

        LoadReport.Ramp ramp = RampJudge.ramp(RAMP, timeline, latency, List.of());

        assertThat(ramp.steps()).extracting(LoadReport.RampStep::passed).containsExactly(false, false, true, true);
        assertThat(ramp.highestPassingRate()).isEqualTo(80);
    }

    @Test
    void eachStepAlsoGivesItsP99CountedFromTheActualSendsWhenThoseWereMeasured() {
        step(10, 1.0, 80, 0);
        List<Histogram> fromSent = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            Histogram h = new Histogram(LatencyTracker.HIGHEST_MICROS, 3);
            h.recordValueWithCount(30_000, 10); // the generator sent each 50 ms late: 80 ms from intended, 30 from sent
            fromSent.add(h);
        }

        assertThat(RampJudge.ramp(RAMP, timeline, latency, fromSent).steps().getFirst().p99FromSentMs())
                .isBetween(29.9, 30.1);
        assertThat(RampJudge.ramp(RAMP, timeline, latency, List.of()).steps().getFirst().p99FromSentMs())
                .isEqualTo(-1);
    }

    @Test
    void twoOverloadedStepsInARowEndTheRampBeforeAnyPass() {
        step(10, 1.0, 80, 0);   // noisy, not overloaded
        step(20, 1.0, 600, 0);  // p99 over ten times the objective
        assertThat(RampJudge.shouldStop(RAMP, timeline, latency)).isFalse();
        step(40, 0.5, 10, 0);   // half the rate acknowledged
        assertThat(RampJudge.shouldStop(RAMP, timeline, latency)).isTrue();

        assertThat(RampJudge.ramp(RAMP, timeline, latency, List.of()).highestPassingRate()).isZero();
    }
}
