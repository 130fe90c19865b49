package dev.courier.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a soak drills, which drill, and what it switches through {@code /v1/admin/faults}. */
class SoakDrillsTest {

    @Test
    void anHourWithADrillEveryTenMinutesLeaksAndStopsTheDatabaseInTurnFiveTimes() {
        LoadOptions o = soak(Duration.ofHours(1), new LoadOptions.Soak(Duration.ofMinutes(10), Duration.ofSeconds(30)));

        List<Scenario.SoakDrill> drills = Scenario.soakDrills(o);

        assertThat(drills).extracting(Scenario.SoakDrill::kind).containsExactly(Scenario.LEAK, Scenario.DB_OUTAGE,
                Scenario.LEAK, Scenario.DB_OUTAGE, Scenario.LEAK);
        assertThat(drills).extracting(d -> d.on().toMinutes()).containsExactly(10L, 20L, 30L, 40L, 50L);
        assertThat(drills).allMatch(d -> d.off().minus(d.on()).equals(Duration.ofSeconds(30)));
        assertThat(drills).extracting(Scenario.SoakDrill::number).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void eachDrillSwitchesItsFaultOnAndBackOffAtItsOwnTimes() {
        LoadOptions o = soak(Duration.ofSeconds(45), new LoadOptions.Soak(Duration.ofSeconds(15), Duration.ofSeconds(3)));

        assertThat(Scenario.SOAK.faults(o)).containsExactly(
                new Scenario.FaultChange(Duration.ofSeconds(15), Map.of("leakRate", 0.2)),
                new Scenario.FaultChange(Duration.ofSeconds(18), Map.of("leakRate", 0.0)),
                new Scenario.FaultChange(Duration.ofSeconds(30), Map.of("databaseDown", true)),
                new Scenario.FaultChange(Duration.ofSeconds(33), Map.of("databaseDown", false)));
    }

    @Test
    void aDrillIsPlannedOnlyWithTimeLeftToRecoverAfterIt() {
        // at 40 s a drill would end at 43 s, with 2 s of the run left: less than its own length
        LoadOptions o = soak(Duration.ofSeconds(45), new LoadOptions.Soak(Duration.ofSeconds(10), Duration.ofSeconds(3)));

        assertThat(Scenario.soakDrills(o)).extracting(d -> d.on().toSeconds()).containsExactly(10L, 20L, 30L);
    }

    @Test
    void aSoakNeedsTheAdminTokenAndDrillsShorterThanHalfTheirInterval() {
        assertThatThrownBy(() -> LoadOptionsTest.options("http://127.0.0.1:8080", false, Scenario.SOAK,
                Optional.empty())).hasMessageContaining("--admin-token");
        assertThatThrownBy(() -> new LoadOptions.Soak(Duration.ofSeconds(10), Duration.ofSeconds(6)))
                .hasMessageContaining("--drill-length");
        assertThat(Scenario.soakDrills(LoadOptionsTest.options("http://127.0.0.1:8080", false, Scenario.STEADY,
                Optional.empty()))).isEmpty();
    }

    private static LoadOptions soak(Duration duration, LoadOptions.Soak drills) {
        return new LoadOptions(URI.create("http://127.0.0.1:8080"), false, Scenario.SOAK, Transport.SOCKET, 10,
                duration, 1_000_000, 4, 0.5, 2, LoadOptions.BusyGroup.NONE, LoadOptions.ChangeMix.NONE,
                Duration.ofMillis(50), 0.001, Duration.ofSeconds(10), 1.5, 0.2, Optional.of("token"),
                Duration.ofSeconds(1), Optional.empty(), Optional.empty()).withSoak(drills);
    }
}
