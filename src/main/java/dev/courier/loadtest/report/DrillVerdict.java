package dev.courier.loadtest.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a drill shows, in the postmortem's terms: how fast the trouble was seen and alerted on, how much of
 * the service stayed up while it lasted, how fast it came back, and whether any acknowledged message was lost.
 * Times are seconds; {@code -1} means "never, within the drill".
 *
 * @param detectSeconds  from fault on to the first sign of it on the server (readiness, the pool's leak
 *                       report, or an alert)
 * @param alertSeconds   from fault on to the first firing alert in {@code /v1/admin/alerts}
 * @param recoverSeconds from fault off to the first second after which no send failed
 * @param deliveryChecked whether lost counts deliveries over the stream too, or only history
 * @param stillFiring    the alerts the disturbance raised that still fired when the drill ended
 */
public record DrillVerdict(String drill, double faultOnAt, double faultOffAt, double detectSeconds, String detectedBy,
                           double alertSeconds, String alertName, double availability, double recoverSeconds,
                           double alertsResolvedSeconds, List<String> stillFiring, long lost,
                           boolean deliveryChecked, boolean held, List<String> reasons) {

    /** Detection and alerting bounds a drill holds Courier to; the postmortem's alert came after 15 minutes. */
    public static final double MAX_DETECT_SECONDS = 10;
    public static final double MAX_ALERT_SECONDS = 30;
    public static final double MIN_LEAK_AVAILABILITY = 0.99;

    public int exitCode() {
        return held ? 0 : 1;
    }

    public void print(PrintStream out) {
        out.println();
        lines().forEach(out::println);
    }

    /** The verdict as lines: the console prints them, the drill's report page shows them. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "== drill %s: %s", drill, held ? "COURIER HELD" : "COURIER DID NOT HOLD"));
        lines.add(String.format(Locale.ROOT, "  disturbance    : on at %.1f s, off at %.1f s", faultOnAt, faultOffAt));
        lines.add(String.format(Locale.ROOT, "  time to detect : %s", detectSeconds < 0 ? "not detected"
                : String.format(Locale.ROOT, "%.2f s (%s)", detectSeconds, detectedBy)));
        lines.add(String.format(Locale.ROOT, "  time to alert  : %s", alertSeconds < 0 ? "no alert fired"
                : String.format(Locale.ROOT, "%.2f s (%s)", alertSeconds, alertName)));
        lines.add(String.format(Locale.ROOT, "  availability   : %.3f%% of sends intended during the disturbance",
                availability * 100));
        lines.add(String.format(Locale.ROOT, "  time to recover: %s", recoverSeconds < 0
                ? "did not recover within the drill"
                : String.format(Locale.ROOT, "%.0f s after the disturbance ended (1 s resolution)", recoverSeconds)));
        lines.add("  alerts resolved: " + alertsResolved());
        lines.add(String.format(Locale.ROOT, "  lost messages  : %d%s", lost,
                deliveryChecked ? "" : " (history only: delivery over /v1/stream was not measured)"));
        reasons.forEach(r -> lines.add("  - " + r));
        return lines;
    }

    /** Always said: when the alerts cleared, or why there is nothing to say and where to look. */
    private String alertsResolved() {
        if (alertsResolvedSeconds >= 0) {
            return String.format(Locale.ROOT, "%.2f s after the disturbance ended", alertsResolvedSeconds);
        }
        if (alertSeconds < 0) {
            return "no alert fired, so none had to resolve";
        }
        return "NOT within the drill: " + String.join(", ", stillFiring) + " still fired when it ended (its window "
                + "had not passed: a longer --duration gives it time to clear; GET /v1/admin/alerts and the incident's "
                + "timeline below show what stayed wrong)";
    }
}
