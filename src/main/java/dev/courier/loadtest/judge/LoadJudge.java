package dev.courier.loadtest.judge;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.Scenario;
import dev.courier.loadtest.generator.LoadRun;
import dev.courier.loadtest.generator.LoadRunResult;
import dev.courier.loadtest.generator.StopRule;
import dev.courier.loadtest.measure.GeneratorWarnings;
import dev.courier.loadtest.measure.LatencyTracker;
import dev.courier.loadtest.measure.OutcomesBySecond;
import dev.courier.loadtest.report.Figures;
import dev.courier.loadtest.report.IntegrityReport;
import dev.courier.loadtest.report.Interval;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Turns what a {@link LoadRun} measured ({@link LoadRunResult}) into figures, objectives met or missed, and a
 * verdict. It is also the run's {@link StopRule}: a ramp ends when its judgement says it is past the limit.
 */
public final class LoadJudge implements StopRule {

    static final long RECOVERY_GRACE_SECONDS = 5;

    private final LoadOptions o;

    public LoadJudge(LoadOptions o) {
        this.o = o;
    }

    public LoadReport report(LoadRunResult run) {
        boolean deliveryMeasured = run.deliveryMeasured();
        List<Histogram> basis = basis(run.ackPerSecond(), run.deliveredPerSecond(), deliveryMeasured);
        String basisName = deliveryMeasured ? "send-to-delivered" : "send-to-ack";
        long seconds = run.timeline().size();
        long fs = Scenario.faultStart(o.duration()).toSeconds();
        long fe = Scenario.faultEnd(o.duration()).toSeconds();
        // After a spike, an outage or a soak's drill the server gets a few seconds to drain its backlog or reconnect
        // before the objectives apply again; how long it really took is the drill's "time to recover".
        List<long[]> unjudged = unjudgedSeconds(seconds, fs, fe);
        boolean outsideOnly = !unjudged.isEmpty();

        Histogram windowLatency = new Histogram(LatencyTracker.HIGHEST_MICROS, 3);
        for (int s = 0; s < basis.size(); s++) {
            if (judged(s, unjudged)) {
                windowLatency.add(basis.get(s));
            }
        }
        OutcomesBySecond outcomes = run.outcomes();
        long[] inWindow = {0, 0};
        long from = 0;
        for (long[] gap : unjudged) {
            inWindow = sum(inWindow, outcomes.between(from, gap[0]));
            from = gap[1];
        }
        inWindow = sum(inWindow, outcomes.between(from, seconds + 1));
        double windowErrorRate = Figures.share(inWindow[1], inWindow[0] + inWindow[1]);
        double p99 = LatencySummary.of(windowLatency).p99();
        String window = !outsideOnly ? "whole run"
                : o.scenario() == Scenario.SOAK ? "outside the drills and " + RECOVERY_GRACE_SECONDS + " s after each"
                : "outside the disturbance and " + RECOVERY_GRACE_SECONDS + " s after it";
        LoadReport.Objectives objectives = new LoadReport.Objectives(o.sloP99Millis(), o.maxErrorRate(), basisName,
                window, p99, windowErrorRate, p99 <= o.sloP99Millis(), windowErrorRate <= o.maxErrorRate());

        LoadReport.Disturbance disturbance = null;
        if (o.scenario().disturbs()) {
            Histogram during = new Histogram(LatencyTracker.HIGHEST_MICROS, 3);
            for (int s = (int) fs; s < Math.min(fe, basis.size()); s++) {
                during.add(basis.get(s));
            }
            disturbance = new LoadReport.Disturbance(fs, fe, outcomes.availability(fs, fe),
                    LatencySummary.of(during).p99());
        }
        LoadReport.Ramp ramp = o.scenario() == Scenario.RAMP ? RampJudge.ramp(o, run.timeline(), basis,
                deliveryMeasured ? run.sentToDeliveredPerSecond() : List.of()) : null;
        LoadReport.BusyGroup busyGroup = run.busyGroup();

        List<String> failures = new ArrayList<>();
        List<String> gaps = new ArrayList<>();
        IntegrityReport integrity = run.integrity();
        if (!integrity.intact()) {
            failures.add(String.format("integrity: lost=%d duplicated=%d out-of-order=%d history gaps=%d",
                    integrity.lost(), integrity.duplicated(), integrity.outOfOrder(), integrity.historyGaps()));
        }
        IntegrityReport.Changes changeIntegrity = integrity.changes();
        if (changeIntegrity != null && !changeIntegrity.intact()) {
            failures.add(String.format("integrity of changes: lost=%d duplicated=%d out-of-order=%d",
                    changeIntegrity.lost(), changeIntegrity.duplicated(), changeIntegrity.outOfOrder()));
        }
        LoadReport.Changes changes = run.changes();
        // The changes' figures are the whole run's: with a disturbance in it (an outage refuses them all), their
        // error rate is reported but not held to the objective.
        if (changes != null && !outsideOnly && changes.errorRate() > o.maxErrorRate()) {
            failures.add(String.format("error rate of the changes %s is above the objective %s",
                    Figures.percent(changes.errorRate()), Figures.percent(o.maxErrorRate())));
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
                failures.add(String.format("error rate %s is above the objective %s (%s)",
                        Figures.percent(windowErrorRate), Figures.percent(o.maxErrorRate()), objectives.window()));
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
        List<String> warnings = GeneratorWarnings.of(run.generator(), ramp);

        double activeSeconds = run.activeSeconds();
        return new LoadReport(o.scenario().cliName(), o.url().toString(), o.transport().name().toLowerCase(),
                run.startedAt().toString(), Figures.round(activeSeconds), o.rate(), run.users(), run.conversations(),
                run.attempted(), run.acked(), run.failed(),
                Figures.round(run.acked() / Math.max(activeSeconds, 1e-9)),
                Figures.share(run.failed(), run.attempted()),
                run.errors(), run.sendToAck(), deliveryMeasured ? run.sendToDelivered() : null, run.refusals(),
                deliveryMeasured ? run.opening()
                        : new LoadReport.Opening(run.opening().sends(), run.opening().sendToAck(), null),
                new LoadReport.Delivery(deliveryMeasured, deliveryMeasured ? "measured over /v1/stream"
                        : run.streamUnavailable()),
                integrity, objectives, ramp, disturbance, busyGroup, changes, run.chatter(), run.generator(),
                run.appliedFaults(),
                run.timeline(), verdict, reasons, warnings, null);
    }

    /** A ramp ends once it is past the server's limit; every other scenario runs its course. */
    @Override
    public boolean stopNow(List<Interval> timeline, List<Histogram> ackPerSecond, List<Histogram> deliveredPerSecond,
                           boolean deliveryMeasured) {
        return o.scenario() == Scenario.RAMP
                && RampJudge.shouldStop(o, timeline, basis(ackPerSecond, deliveredPerSecond, deliveryMeasured));
    }

    /** The latency the objectives are judged on: send→delivered, or send→ack where deliveries were not measured. */
    private static List<Histogram> basis(List<Histogram> ackPerSecond, List<Histogram> deliveredPerSecond,
                                         boolean deliveryMeasured) {
        return deliveryMeasured ? deliveredPerSecond : ackPerSecond;
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
     * The seconds [from, to) the objectives leave out, in order: a spike's or an outage's middle third, or each of a
     * soak's drills, each with {@link #RECOVERY_GRACE_SECONDS} after it. Empty when the whole run is judged.
     */
    private List<long[]> unjudgedSeconds(long seconds, long faultStart, long faultEnd) {
        List<long[]> gaps = new ArrayList<>();
        if (o.scenario() == Scenario.SPIKE || o.scenario() == Scenario.DB_OUTAGE) {
            gaps.add(new long[] {faultStart, Math.min(seconds, faultEnd + RECOVERY_GRACE_SECONDS)});
        }
        for (Scenario.SoakDrill d : Scenario.soakDrills(o)) {
            long to = (long) Math.ceil(d.off().toNanos() / 1e9) + RECOVERY_GRACE_SECONDS;
            gaps.add(new long[] {d.on().toSeconds(), Math.min(seconds, to)});
        }
        return gaps;
    }

    private static boolean judged(long second, List<long[]> unjudged) {
        for (long[] gap : unjudged) {
            if (second >= gap[0] && second < gap[1]) {
                return false;
            }
        }
        return true;
    }

    private static long[] sum(long[] a, long[] b) {
        return new long[] {a[0] + b[0], a[1] + b[1]};
    }
}
