package dev.courier.loadtest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Turns what a {@link LoadRun} measured into figures, objectives met or missed, and a verdict. */
final class LoadJudge {

    /** A ramp step counts as sustained only if the server acknowledged at least this share of its target rate. */
    static final double SUSTAINED_SHARE = 0.9;
    /** A ramp step whose p99 is this many times the objective is overloaded, whatever its sample count. */
    static final double OVERLOADED_P99_FACTOR = 10;
    static final long RECOVERY_GRACE_SECONDS = 5;

    private final LoadOptions o;
    private final LoadRun run;

    LoadJudge(LoadOptions o, LoadRun run) {
        this.o = o;
        this.run = run;
    }

    LoadReport report(Instant startedAt, double activeSeconds, IntegrityReport integrity) {
        boolean deliveryMeasured = run.streamUnavailable() == null;
        List<Histogram> basis = deliveryMeasured ? run.deliveredPerSecond() : run.ackPerSecond();
        String basisName = deliveryMeasured ? "send-to-delivered" : "send-to-ack";
        long seconds = run.timeline().size();
        long fs = Scenario.faultStart(o.duration()).toSeconds();
        long fe = Scenario.faultEnd(o.duration()).toSeconds();
        boolean outsideOnly = o.scenario() == Scenario.SPIKE || o.scenario() == Scenario.DB_OUTAGE;
        // After a spike or an outage the server gets a few seconds to drain its backlog or reconnect before the
        // objectives apply again; how long it really took is the drill's "time to recover".
        long judgedAgainFrom = Math.min(seconds, fe + RECOVERY_GRACE_SECONDS);

        Histogram windowLatency = new Histogram(LatencyTracker.HIGHEST_MICROS, 3);
        for (int s = 0; s < basis.size(); s++) {
            if (!outsideOnly || s < fs || s >= judgedAgainFrom) {
                windowLatency.add(basis.get(s));
            }
        }
        long[] inWindow = outsideOnly ? sum(run.outcomes().between(0, fs), run.outcomes().between(judgedAgainFrom, seconds + 1))
                : run.outcomes().between(0, seconds + 1);
        double windowErrorRate = Figures.share(inWindow[1], inWindow[0] + inWindow[1]);
        double p99 = LatencySummary.of(windowLatency).p99();
        LoadReport.Objectives objectives = new LoadReport.Objectives(o.sloP99Millis(), o.maxErrorRate(), basisName,
                outsideOnly ? "outside the disturbance and " + RECOVERY_GRACE_SECONDS + " s after it" : "whole run", p99, windowErrorRate,
                p99 <= o.sloP99Millis(), windowErrorRate <= o.maxErrorRate());

        LoadReport.Disturbance disturbance = null;
        if (o.scenario().disturbs()) {
            Histogram during = new Histogram(LatencyTracker.HIGHEST_MICROS, 3);
            for (int s = (int) fs; s < Math.min(fe, basis.size()); s++) {
                during.add(basis.get(s));
            }
            disturbance = new LoadReport.Disturbance(fs, fe, run.outcomes().availability(fs, fe),
                    LatencySummary.of(during).p99());
        }
        LoadReport.Ramp ramp = o.scenario() == Scenario.RAMP ? ramp(o, run.timeline(), basis,
                deliveryMeasured ? run.generator().sentToDeliveredPerSecond() : List.of()) : null;
        LoadReport.BusyGroup busyGroup = run.busyGroupFigures() == null ? null : run.busyGroupFigures().report();

        List<String> failures = new ArrayList<>();
        List<String> gaps = new ArrayList<>();
        if (!integrity.intact()) {
            failures.add(String.format("integrity: lost=%d duplicated=%d out-of-order=%d history gaps=%d",
                    integrity.lost(), integrity.duplicated(), integrity.outOfOrder(), integrity.historyGaps()));
        }
        if (ramp != null) {
            if (ramp.highestPassingRate() == 0) {
                failures.add("ramp: no step met p99 <= " + o.sloP99Millis() + " ms and error rate <= "
                        + Figures.percent(o.maxErrorRate()));
            }
        } else {
            if (!objectives.p99Met()) {
                failures.add(String.format("p99 %s %.2f ms is above the objective %.2f ms (%s)", basisName, p99,
                        o.sloP99Millis(), objectives.window()));
            }
            if (!objectives.errorRateMet()) {
                failures.add(String.format("error rate %s is above the objective %s (%s)", Figures.percent(windowErrorRate),
                        Figures.percent(o.maxErrorRate()), objectives.window()));
            }
            if (busyGroup != null && !outsideOnly) {
                failures.addAll(busyGroupFailures(busyGroup, deliveryMeasured));
            }
        }
        for (LoadReport.AppliedFault f : run.appliedFaults()) {
            if (f.status() != 200) {
                gaps.add("fault " + f.faults() + " was not applied: PUT /v1/admin/faults answered " + f.status());
            }
        }
        if (!deliveryMeasured) {
            gaps.add("delivery not measured: " + run.streamUnavailable());
        }
        String verdict = !failures.isEmpty() ? "fail" : !gaps.isEmpty() ? "incomplete" : "pass";
        List<String> reasons = new ArrayList<>(failures);
        reasons.addAll(gaps);
        LoadReport.Generator generator = run.generator().report(o.sloP99Millis());
        List<String> warnings = warnings(generator, ramp);

        long failed = run.errors().total();
        return new LoadReport(o.scenario().cliName(), o.url().toString(), o.transport().name().toLowerCase(),
                startedAt.toString(), Figures.round(activeSeconds), o.rate(), run.population().users.size(),
                run.population().conversations.size(), run.attempted(), run.acked(), failed,
                Figures.round(run.acked() / Math.max(activeSeconds, 1e-9)), Figures.share(failed, run.attempted()),
                run.errors().snapshot(), LatencySummary.of(run.ackTotal()),
                deliveryMeasured ? LatencySummary.of(run.deliveredTotal()) : null, run.refusals().report(activeSeconds),
                new LoadReport.Delivery(deliveryMeasured, deliveryMeasured ? "measured over /v1/stream"
                        : run.streamUnavailable()),
                integrity, objectives, ramp, disturbance, busyGroup, generator, run.appliedFaults(), run.timeline(),
                verdict, reasons, warnings);
    }

    /**
     * Latency counts from the intended send time, so a late generator only ever makes the server look slower: a
     * pass stays a pass, but a miss may be the generator's, and the report has to say so.
     */
    static List<String> warnings(LoadReport.Generator g, LoadReport.Ramp ramp) {
        List<String> warnings = new ArrayList<>();
        if (g.inFlightCapWaits() > 0) {
            warnings.add(String.format("the server left %d sends unanswered at once %d times; the pacer waited for "
                    + "it, and that wait counts as latency", LoadRun.MAX_IN_FLIGHT, g.inFlightCapWaits()));
        }
        if (g.fellBehind()) {
            warnings.add(String.format("the load generator fell behind its own schedule: sends left p99 %.2f ms "
                    + "(max %.2f ms) after their intended time, with its process at %s cores (median, of %d) and "
                    + "the host at %s at its busiest; the latencies include that delay (counted from the actual "
                    + "sends, send→delivered p99 is %.2f ms), so give the generator its own machine or a lower rate",
                    g.pacerLateness().p99(), g.pacerLateness().max(), Figures.knownOrNa(g.cpuCoresMedian()), g.cores(),
                    Figures.knownPercentOrNa(g.hostCpuMax()), g.sentToDelivered().p99()));
        }
        if (g.hostStolenMedian() >= GeneratorLoad.NOISY_HOST_STOLEN) {
            warnings.add(String.format("the host's hypervisor gave %s of its CPU time to other virtual machines in "
                    + "the median second (%s in the worst): this machine had less CPU than it has, so the figures "
                    + "are lower than on the same machine without its neighbours; compare runs made side by side",
                    Figures.percent(g.hostStolenMedian()), Figures.percent(g.hostStolenMax())));
        }
        if (ramp != null) {
            LoadReport.RampStep firstMissAfterBest = ramp.steps().stream()
                    .filter(s -> !s.passed() && s.targetRate() > ramp.highestPassingRate()).findFirst().orElse(null);
            if (firstMissAfterBest != null && firstMissAfterBest.generatorLateMs() > GeneratorLoad.MIN_LATE_LIMIT_MS
                    && firstMissAfterBest.generatorLateMs() > firstMissAfterBest.p99Ms() / 10) {
                warnings.add(String.format("the ramp's limit may be the load generator's: at %.0f msg/s, the first "
                        + "step above the answer, its sends left up to p99 %.2f ms late (p99 %.2f ms in all)",
                        firstMissAfterBest.targetRate(), firstMissAfterBest.generatorLateMs(),
                        firstMissAfterBest.p99Ms()));
            }
        }
        return warnings;
    }

    /** The point of a busy group: the other conversations still meet the objectives, whatever it does to itself. */
    private List<String> busyGroupFailures(LoadReport.BusyGroup busyGroup, boolean deliveryMeasured) {
        List<String> failures = new ArrayList<>();
        LoadReport.BusyGroupSide others = busyGroup.others();
        if (deliveryMeasured && others.sendToDelivered().p99() > o.sloP99Millis()) {
            failures.add(String.format("p99 send-to-delivered of the conversations other than the busy group %.2f ms "
                    + "is above the objective %.2f ms", others.sendToDelivered().p99(), o.sloP99Millis()));
        }
        if (others.errorRate() > o.maxErrorRate()) {
            failures.add(String.format("error rate of the conversations other than the busy group %s is above the "
                    + "objective %s", Figures.percent(others.errorRate()), Figures.percent(o.maxErrorRate())));
        }
        return failures;
    }

    /**
     * Called after every second of a ramp: true when it should stop. Once some step has passed, two missed steps in
     * a row end it. Before that only two overloaded steps in a row do: at a low rate a step has so few samples that
     * its p99 is the host's worst scheduling hiccups, which says nothing about the server's limit, and
     * {@code --duration} bounds a ramp that never passes.
     */
    static boolean rampShouldStop(LoadOptions o, LoadRun run) {
        return rampShouldStop(o, run.timeline(),
                run.streamUnavailable() == null ? run.deliveredPerSecond() : run.ackPerSecond());
    }

    static boolean rampShouldStop(LoadOptions o, List<Interval> timeline, List<Histogram> basis) {
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
            GeneratorLoad.GeneratorSample g = timeline.get(s).generator();
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
        return new LoadReport.RampStep(Figures.round(target), Figures.round(throughput), p99, errorRate, passed, generatorLate,
                latencyFromSent == null ? -1 : LatencySummary.of(latencyFromSent).p99(),
                stolenSeconds == 0 ? -1 : Math.round(stolen / stolenSeconds * 1000) / 1000.0);
    }

    private static long[] sum(long[] a, long[] b) {
        return new long[] {a[0] + b[0], a[1] + b[1]};
    }
}
