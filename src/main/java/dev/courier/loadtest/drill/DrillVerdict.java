package dev.courier.loadtest.drill;

import java.io.PrintStream;
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
 */
public record DrillVerdict(String drill, double faultOnAt, double faultOffAt, double detectSeconds, String detectedBy,
                           double alertSeconds, String alertName, double availability, double recoverSeconds,
                           double alertsResolvedSeconds, long lost, boolean deliveryChecked, boolean held,
                           List<String> reasons) {

    /** Detection and alerting bounds a drill holds Courier to; the postmortem's alert came after 15 minutes. */
    static final double MAX_DETECT_SECONDS = 10;
    static final double MAX_ALERT_SECONDS = 30;
    static final double MIN_LEAK_AVAILABILITY = 0.99;

    public int exitCode() {
        return held ? 0 : 1;
    }

    public void print(PrintStream out) {
        out.printf(Locale.ROOT, "%n== drill %s: %s%n", drill, held ? "COURIER HELD" : "COURIER DID NOT HOLD");
        out.printf(Locale.ROOT, "  disturbance    : on at %.1f s, off at %.1f s%n", faultOnAt, faultOffAt);
        out.printf(Locale.ROOT, "  time to detect : %s%n", detectSeconds < 0 ? "not detected"
                : String.format(Locale.ROOT, "%.2f s (%s)", detectSeconds, detectedBy));
        out.printf(Locale.ROOT, "  time to alert  : %s%n", alertSeconds < 0 ? "no alert fired"
                : String.format(Locale.ROOT, "%.2f s (%s)", alertSeconds, alertName));
        out.printf(Locale.ROOT, "  availability   : %.3f%% of sends intended during the disturbance%n", availability * 100);
        out.printf(Locale.ROOT, "  time to recover: %s%n", recoverSeconds < 0 ? "did not recover within the drill"
                : String.format(Locale.ROOT, "%.0f s after the disturbance ended (1 s resolution)", recoverSeconds));
        if (alertsResolvedSeconds >= 0) {
            out.printf(Locale.ROOT, "  alerts resolved: %.2f s after the disturbance ended%n", alertsResolvedSeconds);
        }
        out.printf(Locale.ROOT, "  lost messages  : %d%s%n", lost,
                deliveryChecked ? "" : " (history only: delivery over /v1/stream was not measured)");
        reasons.forEach(r -> out.println("  - " + r));
    }
}
