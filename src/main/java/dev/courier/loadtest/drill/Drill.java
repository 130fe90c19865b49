package dev.courier.loadtest.drill;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.Scenario;
import dev.courier.loadtest.Transport;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.generator.LoadRun;
import dev.courier.loadtest.generator.LoadRunResult;
import dev.courier.loadtest.judge.LoadJudge;
import dev.courier.loadtest.measure.OutcomesBySecond;
import dev.courier.loadtest.report.DrillVerdict;
import dev.courier.loadtest.report.Figures;
import dev.courier.loadtest.report.IntegrityReport;
import dev.courier.loadtest.report.LoadReport;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The postmortem's incident, replayed against a server: a load run with a disturbance in its middle third,
 * watched from outside by a {@link DrillObserver}, judged as a {@link DrillVerdict}.
 */
public final class Drill {

    /** What a drill found: the full load report and the verdict drawn from it. */
    public record Outcome(LoadReport report, DrillVerdict verdict) {
    }

    private Drill() {
    }

    /** The load a drill puts on: modest, so that what it measures is the fault and not the machine. */
    public static LoadOptions options(Scenario scenario, URI url, String adminToken, double rate, Duration duration,
                                      int users, double leakRate, Optional<Path> json, Optional<Path> html) {
        return new LoadOptions(url, false, scenario, Transport.REST, rate, duration, 1_000_000, users, 0.3,
                Math.min(4, users), LoadOptions.BusyGroup.NONE, Duration.ofMillis(50), 0.001, Duration.ofSeconds(10),
                1.5, leakRate, Optional.of(adminToken), Duration.ofSeconds(10), json, html);
    }

    public static Outcome run(LoadOptions options, PrintStream out) throws InterruptedException {
        LoadJudge judge = new LoadJudge(options);
        LoadRun run = new LoadRun(options, out, judge);
        CourierClient client = new CourierClient(options.url(), LoadRun.REQUEST_TIMEOUT);
        LoadRunResult result;
        List<DrillObserver.Sample> samples;
        try (DrillObserver observer = new DrillObserver(client, options.adminToken().orElseThrow())) {
            result = run.run();
            samples = observer.samples();
        }
        LoadReport report = judge.report(result);
        return new Outcome(report, judge(options.scenario(), report, result, samples));
    }

    static DrillVerdict judge(Scenario scenario, LoadReport report, LoadRunResult result,
                              List<DrillObserver.Sample> samples) {
        double on = report.disturbance().fromSecond();
        double off = report.disturbance().toSecond();
        List<LoadReport.AppliedFault> applied = report.faults().stream().filter(f -> f.status() == 200).toList();
        if (applied.size() >= 2) {
            on = applied.get(0).atSecond();
            off = applied.get(1).atSecond();
        }
        return judge(scenario.cliName(), scenario, new Window(on, off, applied.size() >= 2, report.timeline().size()),
                report.disturbance().availability(), result, report.integrity(), samples);
    }

    /**
     * One disturbance of a run, in seconds since the run started.
     *
     * @param switched   whether the server took both switches (on and off)
     * @param lastSecond the last second that is the disturbance's to recover in: the run's last, or the one before
     *                   the next disturbance of a soak
     */
    record Window(double on, double off, boolean switched, long lastSecond) {
    }

    /**
     * Judges one disturbance: {@code samples} are the observer's looks up to the window's end (those before
     * {@code on} are its baseline), {@code availability} the share of the sends intended during it that succeeded.
     */
    static DrillVerdict judge(String name, Scenario scenario, Window window, double availability,
                              LoadRunResult result, IntegrityReport integrity, List<DrillObserver.Sample> samples) {
        double on = window.on();
        double off = window.off();
        long start = result.startNanos();
        DrillObserver.Sample baseline = null;
        double detect = -1;
        String detectedBy = "";
        for (DrillObserver.Sample s : samples) {
            double t = (s.atNanos() - start) / 1e9;
            if (t < on) {
                baseline = s;
                continue;
            }
            if (baseline == null) {
                baseline = new DrillObserver.Sample(0, 200, 0, 0, 0, 0, List.of());
            }
            if (detect < 0 && s.troubleSeen(baseline)) {
                detect = t - on;
                detectedBy = describe(s, baseline);
            }
        }
        AlertTimes alerts = alertTimes(samples, start, on, off);
        double alert = alerts.firedSeconds();
        String alertName = String.join(", ", alerts.raised());
        double resolved = alerts.resolvedSeconds();
        double recover = recovery(result.outcomes(), off, (int) window.lastSecond());
        long lost = integrity.lost();

        List<String> reasons = new ArrayList<>();
        if (!integrity.intact()) {
            reasons.add("integrity: lost=" + lost + " duplicated=" + integrity.duplicated()
                    + " out-of-order=" + integrity.outOfOrder() + " gaps=" + integrity.historyGaps());
        }
        if (scenario.needsFaultInjection()) {
            if (!window.switched()) {
                reasons.add("the fault was not switched on and off (PUT /v1/admin/faults refused)");
            }
            if (detect < 0 || detect > DrillVerdict.MAX_DETECT_SECONDS) {
                reasons.add("not detected within " + DrillVerdict.MAX_DETECT_SECONDS + " s");
            }
            if (alert < 0 || alert > DrillVerdict.MAX_ALERT_SECONDS) {
                reasons.add("no alert within " + DrillVerdict.MAX_ALERT_SECONDS + " s");
            }
        }
        if (scenario != Scenario.DB_OUTAGE && availability < DrillVerdict.MIN_LEAK_AVAILABILITY) {
            reasons.add(String.format(java.util.Locale.ROOT, "availability %.2f%% during the disturbance is below %.0f%%",
                    availability * 100, DrillVerdict.MIN_LEAK_AVAILABILITY * 100));
        }
        if (recover < 0) {
            reasons.add("sends still failed at the end of the drill");
        }
        return new DrillVerdict(name, Figures.round(on), Figures.round(off), Figures.round(detect),
                detectedBy, Figures.round(alert), alertName, availability, recover, Figures.round(resolved),
                alerts.stillFiring(), lost,
                integrity.deliveryChecked(), reasons.isEmpty(), reasons);
    }

    /**
     * The alerts the disturbance raised: those firing after {@code on} that were not firing just before it (an alert
     * left over from the warm-up, a cold server's latency, is not the fault's), when the first of them fired after
     * {@code on}, and when, after {@code off}, none of them fired any more. -1 where that did not happen.
     *
     * @param stillFiring those of them firing at the last look
     */
    record AlertTimes(List<String> raised, double firedSeconds, double resolvedSeconds, List<String> stillFiring) {
    }

    static AlertTimes alertTimes(List<DrillObserver.Sample> samples, long startNanos, double on, double off) {
        Set<String> before = Set.of();
        Set<String> raised = new LinkedHashSet<>();
        double fired = -1;
        double resolved = -1;
        List<String> last = List.of();
        for (DrillObserver.Sample s : samples) {
            double t = (s.atNanos() - startNanos) / 1e9;
            if (t < on) {
                before = Set.copyOf(s.firingAlerts());
                continue;
            }
            for (String name : s.firingAlerts()) {
                if (!before.contains(name) && raised.add(name) && fired < 0) {
                    fired = t - on;
                }
            }
            last = s.firingAlerts().stream().filter(raised::contains).toList();
            if (fired >= 0 && t >= off && last.isEmpty() && resolved < 0) {
                resolved = t - off;
            } else if (!last.isEmpty()) {
                resolved = -1; // one fired again: resolved is when they stayed quiet
            }
        }
        return new AlertTimes(List.copyOf(raised), fired, resolved, last);
    }

    /**
     * Seconds from {@code off} to the first whole second from which every send succeeded (and some did); -1 if
     * sends failed to the end.
     */
    static double recovery(OutcomesBySecond outcomes, double off, int seconds) {
        for (long s = (long) Math.floor(off); s <= seconds; s++) {
            long[] rest = outcomes.between(s, seconds + 1L);
            if (rest[1] == 0 && rest[0] > 0) {
                return Math.max(0, s - off);
            }
        }
        return -1;
    }

    private static String describe(DrillObserver.Sample s, DrillObserver.Sample baseline) {
        if (s.suspectedLeaks() > baseline.suspectedLeaks()) {
            return "/v1/admin/pool: " + s.suspectedLeaks() + " suspected leaks";
        }
        if (s.reclaimedLeaks() > baseline.reclaimedLeaks()) {
            return "/v1/admin/pool: " + s.reclaimedLeaks() + " reclaimed leaks";
        }
        if (!s.newAlerts(baseline).isEmpty()) {
            return "alert " + String.join(", ", s.newAlerts(baseline));
        }
        return "/health/ready answered " + s.readyStatus();
    }
}
