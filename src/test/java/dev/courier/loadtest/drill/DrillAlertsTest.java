package dev.courier.loadtest.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.report.DrillVerdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The alerts a drill holds Courier to are the ones its disturbance raised: an alert left over from the warm-up (a
 * cold server's latency) neither counts as the alert nor keeps the drill from saying its alerts resolved; and the
 * verdict always says whether they resolved.
 */
class DrillAlertsTest {

    private static final long SECOND = 1_000_000_000L;
    private static final double ON = 10;
    private static final double OFF = 20;

    @Test
    void anAlertFiringBeforeTheFaultIsNotTheFaultsAlertNorItsResolution() {
        List<DrillObserver.Sample> samples = new ArrayList<>();
        for (int t = 0; t < 30; t++) {
            List<String> firing = new ArrayList<>(List.of("CourierLatencyAboveObjective")); // all along
            if (t >= 11 && t < 23) {
                firing.add("CourierLeakSuspected");
            }
            samples.add(sample(t, firing));
        }

        Drill.AlertTimes alerts = Drill.alertTimes(samples, 0, ON, OFF);

        assertThat(alerts.raised()).containsExactly("CourierLeakSuspected");
        assertThat(alerts.firedSeconds()).isEqualTo(1.0);
        assertThat(alerts.resolvedSeconds()).isEqualTo(3.0);
        assertThat(alerts.stillFiring()).isEmpty();
    }

    @Test
    void anAlertStillFiringAtTheEndIsNamed() {
        List<DrillObserver.Sample> samples = new ArrayList<>();
        for (int t = 0; t < 30; t++) {
            samples.add(sample(t, t >= 12 ? List.of("CourierLeakReclaimed") : List.of()));
        }

        Drill.AlertTimes alerts = Drill.alertTimes(samples, 0, ON, OFF);

        assertThat(alerts.resolvedSeconds()).isEqualTo(-1);
        assertThat(alerts.stillFiring()).containsExactly("CourierLeakReclaimed");
        assertThat(verdict(2, alerts).lines()).anyMatch(l -> l.startsWith("  alerts resolved: NOT within the drill: "
                + "CourierLeakReclaimed still fired"));
    }

    @Test
    void theVerdictAlwaysSaysWhetherTheAlertsResolved() {
        assertThat(verdict(2, new Drill.AlertTimes(List.of("A"), 2, 4.5, List.of())).lines())
                .contains("  alerts resolved: 4.50 s after the disturbance ended");
        assertThat(verdict(-1, new Drill.AlertTimes(List.of(), -1, -1, List.of())).lines())
                .contains("  alerts resolved: no alert fired, so none had to resolve");
    }

    private static DrillVerdict verdict(double alertSeconds, Drill.AlertTimes alerts) {
        return new DrillVerdict("leak", ON, OFF, 1, "pool", alertSeconds, String.join(", ", alerts.raised()), 1.0, 0,
                alerts.resolvedSeconds(), alerts.stillFiring(), 0, true, true, List.of());
    }

    private static DrillObserver.Sample sample(int second, List<String> firing) {
        return new DrillObserver.Sample(second * SECOND, 200, 0, 0, 0, 0, List.copyOf(firing));
    }
}
