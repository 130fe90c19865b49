package dev.courier.loadtest.judge;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.measure.LatencyTracker;
import dev.courier.loadtest.report.Figures;
import dev.courier.loadtest.report.GeneratorSample;
import dev.courier.loadtest.report.Interval;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * A ramp's steps, judged one by one against the objectives: which passed, the highest rate that did, and when the
 * ramp has climbed far enough past it to stop.
 */
final class RampJudge {

    /** A ramp step counts as sustained only if the server acknowledged at least this share of its target rate. */
    static final double SUSTAINED_SHARE = 0.9;
    /** A ramp step whose p99 is this many times the objective is overloaded, whatever its sample count. */
    static final double OVERLOADED_P99_FACTOR = 10;

    private RampJudge() {
    }

    /**
     * Called after every second of a ramp: true when it should stop. Once some step has passed, two missed steps in
     * a row end it. Before that only two overloaded steps in a row do: at a low rate a step has so few samples that
     * its p99 is the host's worst scheduling hiccups, which says nothing about the server's limit, and
     * {@code --duration} bounds a ramp that never passes.
     */
    static boolean shouldStop(LoadOptions o, List<Interval> timeline, List<Histogram> basis) {
        if (timeline.size() % o.rampStep().toSeconds() != 0) {
            return false;
        }
        List<LoadReport.RampStep> steps = ramp(o, timeline, basis, List.of()).steps();
        if (steps.size() < 2) {
            return false;
        }
        LoadReport.RampStep last = steps.getLast();
        LoadReport.RampStep before = steps.get(steps.size() - 2);
        if (steps.stream().anyMatch(LoadReport.RampStep::passed)) {
            return !last.passed() && !before.passed();
        }
        return overloaded(o, last) && overloaded(o, before);
    }

    /** Past the server's limit, not merely noisy: it fell behind the rate, or its p99 is far above the objective. */
    private static boolean overloaded(LoadOptions o, LoadReport.RampStep step) {
        return step.throughput() < SUSTAINED_SHARE * step.targetRate()
                || step.p99Ms() > OVERLOADED_P99_FACTOR * o.sloP99Millis();
    }

    /**
     * @param basis    per-second histograms of the latency the objective is judged on
     * @param fromSent per-second histograms of send→delivered from the actual sends, or none
     */
    static LoadReport.Ramp ramp(LoadOptions o, List<Interval> timeline, List<Histogram> basis,
                                List<Histogram> fromSent) {
        int stepSeconds = (int) o.rampStep().toSeconds();
        List<LoadReport.RampStep> steps = new ArrayList<>();
        double highest = 0;
        double sustained = 0;
        double p99AtHighest = 0;
        for (int i = 0; (i + 1) * stepSeconds <= Math.min(timeline.size(), basis.size()); i++) {
            LoadReport.RampStep step = step(o, timeline, basis, fromSent, i);
            steps.add(step);
            if (step.passed() && step.targetRate() > highest) {
                highest = step.targetRate();
                sustained = step.throughput();
                p99AtHighest = step.p99Ms();
            }
        }
        return new LoadReport.Ramp(Figures.round(highest), Figures.round(sustained), p99AtHighest, steps);
    }

    private static LoadReport.RampStep step(LoadOptions o, List<Interval> timeline, List<Histogram> basis,
                                            List<Histogram> fromSent, int index) {
        int stepSeconds = (int) o.rampStep().toSeconds();
        int from = index * stepSeconds;
        int to = from + stepSeconds;
        if (to > timeline.size() || to > basis.size()) {
            return null;
        }
        Histogram latency = new Histogram(LatencyTracker.HIGHEST_MICROS, 3);
        Histogram latencyFromSent = fromSent.size() >= to ? new Histogram(LatencyTracker.HIGHEST_MICROS, 3) : null;
        long ackedCount = 0;
        long failedCount = 0;
        double generatorLate = 0;
        double stolen = 0;
        int stolenSeconds = 0;
        // The step's first second still carries the previous step's tail; judge the rest.
        for (int s = from + (stepSeconds > 2 ? 1 : 0); s < to; s++) {
            latency.add(basis.get(s));
            if (latencyFromSent != null) {
                latencyFromSent.add(fromSent.get(s));
            }
            ackedCount += timeline.get(s).acked();
            failedCount += timeline.get(s).errors();
            generatorLate = Math.max(generatorLate, timeline.get(s).generatorLateP99Ms());
            GeneratorSample g = timeline.get(s).generator();
            if (g != null && g.stolen() >= 0) {
                stolen += g.stolen();
                stolenSeconds++;
            }
        }
        int judged = to - from - (stepSeconds > 2 ? 1 : 0);
        double target = o.rate() * Math.pow(o.rampFactor(), index);
        double throughput = (double) ackedCount / judged;
        double p99 = LatencySummary.of(latency).p99();
        double errorRate = Figures.share(failedCount, ackedCount + failedCount);
        boolean passed = p99 <= o.sloP99Millis() && errorRate <= o.maxErrorRate()
                && throughput >= SUSTAINED_SHARE * target;
        return new LoadReport.RampStep(Figures.round(target), Figures.round(throughput), p99, errorRate, passed,
                generatorLate, latencyFromSent == null ? -1 : LatencySummary.of(latencyFromSent).p99(),
                stolenSeconds == 0 ? -1 : Math.round(stolen / stolenSeconds * 1000) / 1000.0);
    }
}
