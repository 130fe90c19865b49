package dev.courier.loadtest.drill;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.Scenario;
import dev.courier.loadtest.Transport;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.generator.LoadRun;
import dev.courier.loadtest.generator.LoadRunResult;
import dev.courier.loadtest.judge.FlatnessJudge;
import dev.courier.loadtest.judge.LoadJudge;
import dev.courier.loadtest.report.DrillVerdict;
import dev.courier.loadtest.report.LoadReport;
import dev.courier.loadtest.report.ResourceSample;
import dev.courier.loadtest.report.SoakReport;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code loadtest --scenario soak}: a steady load for a long time with a drill every {@code --drill-every} (a leak and
 * a database outage in turn), each watched by a {@link DrillObserver} and judged like {@code courier drill}'s, and
 * the server's resources sampled by a {@link ResourceSampler} and judged flat or not by the {@link FlatnessJudge}.
 */
public final class Soak {

    private Soak() {
    }

    /**
     * Said when a soak's leak drills will find nothing to leak from: the fault leaks a connection from a share of the
     * operations that requests and socket reads open, and socket sends open none.
     */
    static final String NOTHING_TO_LEAK = "over the socket without --edit-share or --react-share (changes go over "
            + "REST) the leak drills have no operation to leak a connection from: they will not be detected";

    public static LoadReport run(LoadOptions options, PrintStream out) throws InterruptedException {
        List<String> warnings = options.transport() == Transport.SOCKET && !options.changes().present()
                ? List.of(NOTHING_TO_LEAK) : List.of();
        warnings.forEach(w -> out.println("loadtest: warning: " + w));
        LoadJudge judge = new LoadJudge(options);
        LoadRun run = new LoadRun(options, out, judge);
        CourierClient client = new CourierClient(options.url(), LoadRun.REQUEST_TIMEOUT);
        LoadRunResult result;
        List<DrillObserver.Sample> looks;
        List<ResourceSample> resources;
        try (DrillObserver observer = new DrillObserver(client, options.adminToken().orElseThrow());
             ResourceSampler sampler = new ResourceSampler(client)) {
            result = run.run();
            looks = observer.samples();
            resources = sampler.samplesSince(result.startNanos());
        }
        LoadReport report = judge.report(result);
        List<Scenario.SoakDrill> planned = Scenario.soakDrills(options);
        List<DrillVerdict> drills = drills(planned, report, result, looks);
        List<FlatnessJudge.Unsettled> unsettled = planned.stream().map(d -> new FlatnessJudge.Unsettled(
                d.on().toNanos() / 1e9, (d.off().toNanos() + options.soak().drillLength().toNanos()) / 1e9)).toList();
        SoakReport.Flatness flatness = FlatnessJudge.judge(resources, result.activeSeconds(), unsettled);
        return report.withSoak(new SoakReport(options.soak().drillEvery().toMillis() / 1e3,
                options.soak().drillLength().toMillis() / 1e3, drills, flatness, resources), warnings);
    }

    /**
     * Each drill judged on the observer's looks up to the next drill: the switches the server took for it (two a
     * drill, in order) give its times, the plan where a switch was refused.
     */
    static List<DrillVerdict> drills(List<Scenario.SoakDrill> planned, LoadReport report, LoadRunResult result,
                                     List<DrillObserver.Sample> looks) {
        List<LoadReport.AppliedFault> applied = report.faults();
        List<DrillVerdict> verdicts = new ArrayList<>();
        long runSeconds = report.timeline().size();
        for (int i = 0; i < planned.size(); i++) {
            Scenario.SoakDrill d = planned.get(i);
            double on = d.on().toNanos() / 1e9;
            double off = d.off().toNanos() / 1e9;
            boolean switched = applied.size() >= 2 * i + 2 && applied.get(2 * i).status() == 200
                    && applied.get(2 * i + 1).status() == 200;
            if (switched) {
                on = applied.get(2 * i).atSecond();
                off = applied.get(2 * i + 1).atSecond();
            }
            if (on >= result.activeSeconds()) {
                break; // the run ended before this drill
            }
            double until = i + 1 < planned.size() ? planned.get(i + 1).on().toNanos() / 1e9 : Double.MAX_VALUE;
            long lastSecond = i + 1 < planned.size() ? Math.min(runSeconds, (long) Math.floor(until) - 1) : runSeconds;
            List<DrillObserver.Sample> upToNext = looks.stream()
                    .filter(s -> (s.atNanos() - result.startNanos()) / 1e9 < until).toList();
            double availability = result.outcomes().availability((long) Math.floor(on), (long) Math.ceil(off));
            verdicts.add(Drill.judge(d.kind().cliName() + " #" + d.number(), d.kind(),
                    new Drill.Window(on, off, switched, lastSecond), availability, result, report.integrity(),
                    upToNext));
        }
        return verdicts;
    }
}
