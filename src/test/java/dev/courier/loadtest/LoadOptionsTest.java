package dev.courier.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {

    static LoadOptions options(String url, boolean allowRemote, Scenario scenario, Optional<String> adminToken) {
        return options(url, allowRemote, scenario, adminToken, LoadOptions.BusyGroup.NONE);
    }

    static LoadOptions options(String url, boolean allowRemote, Scenario scenario, Optional<String> adminToken,
                               LoadOptions.BusyGroup busyGroup) {
        return new LoadOptions(URI.create(url), allowRemote, scenario, Transport.REST, 10, Duration.ofSeconds(5),
                1_000, 4, 0.5, 2, busyGroup, LoadOptions.ChangeMix.NONE, Duration.ofMillis(50), 0.001,
                Duration.ofSeconds(10), 1.5, 0.2, adminToken,
                Duration.ofSeconds(1), Optional.empty(), Optional.empty());
    }

    @Test
    void aNonLoopbackUrlIsRefusedWithoutAllowRemote() {
        assertThatThrownBy(() -> options("http://192.0.2.10:8080", false, Scenario.STEADY, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--allow-remote");
        assertThat(options("http://192.0.2.10:8080", true, Scenario.STEADY, Optional.empty()).allowRemote()).isTrue();
        assertThat(options("http://127.0.0.1:8080", false, Scenario.STEADY, Optional.empty()).url().getPort())
                .isEqualTo(8080);
    }

    @Test
    void streamLivenessIsOffByDefaultAndOtherwiseBetweenTwoSecondsAndAMinute() {
        LoadOptions plain = options("http://127.0.0.1:8080", false, Scenario.STEADY, Optional.empty());
        assertThat(plain.streamLiveness()).isZero();
        assertThat(plain.withStreamLiveness(Duration.ofSeconds(6)).streamLiveness()).hasSeconds(6);
        assertThat(plain.withStreamLiveness(Duration.ofSeconds(6)).withEcho(false).streamLiveness()).hasSeconds(6);
        assertThatThrownBy(() -> plain.withStreamLiveness(Duration.ofMillis(500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--stream-liveness");
        assertThatThrownBy(() -> plain.withStreamLiveness(Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--stream-liveness");
    }

    @Test
    void faultScenariosNeedTheAdminToken() {
        assertThatThrownBy(() -> options("http://127.0.0.1:8080", false, Scenario.LEAK, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--admin-token");
    }

    @Test
    void aBusyGroupNeedsAShareBelowOneAndNoMoreMembersThanThereAreUsers() {
        assertThatThrownBy(() -> new LoadOptions.BusyGroup(1.0, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--busy-group-share");
        assertThatThrownBy(() -> withBusyGroup(new LoadOptions.BusyGroup(0.5, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--busy-group-size");
        assertThat(withBusyGroup(new LoadOptions.BusyGroup(0.5, 4)).busyGroup().present()).isTrue();
        assertThat(withBusyGroup(new LoadOptions.BusyGroup(0, 500)).busyGroup().present())
                .as("no busy group: its size is not checked").isFalse();
    }

    @Test
    void editAndReactionSharesEachLieBelowOneAndLeaveAShareForSends() {
        assertThatThrownBy(() -> new LoadOptions.ChangeMix(1.0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--edit-share");
        assertThatThrownBy(() -> new LoadOptions.ChangeMix(0, -0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--react-share");
        assertThatThrownBy(() -> new LoadOptions.ChangeMix(0.5, 0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a share for sends");
        assertThat(LoadOptions.ChangeMix.NONE.present()).isFalse();
        assertThat(new LoadOptions.ChangeMix(0, 0.05).present()).isTrue();
    }

    @Test
    void theChangesOfAMixAreSpreadEvenlyOverTheArrivalsInTheirShares() {
        LoadOptions.ChangeMix mix = new LoadOptions.ChangeMix(0.05, 0.05);
        java.util.Map<LoadOptions.ChangeMix.Kind, Long> kinds = java.util.stream.LongStream.range(0, 10_000)
                .mapToObj(mix::kindOf).collect(java.util.stream.Collectors.groupingBy(k -> k,
                        java.util.stream.Collectors.counting()));

        assertThat(kinds).containsEntry(LoadOptions.ChangeMix.Kind.EDIT, 500L)
                .containsEntry(LoadOptions.ChangeMix.Kind.REACT, 500L)
                .containsEntry(LoadOptions.ChangeMix.Kind.SEND, 9_000L);
        // every 100 arrivals hold their share, not all of them at the end
        assertThat(java.util.stream.LongStream.range(0, 100).mapToObj(mix::kindOf)
                .filter(k -> k != LoadOptions.ChangeMix.Kind.SEND).count()).isEqualTo(10);
        assertThat(java.util.stream.LongStream.range(0, 1_000).mapToObj(LoadOptions.ChangeMix.NONE::kindOf))
                .containsOnly(LoadOptions.ChangeMix.Kind.SEND);
    }

    @Test
    void reconnectsNeedRestSendsAndSharesStayWithinOneHundredPercent() {
        LoadOptions.Chatter reconnecting = new LoadOptions.Chatter(0.01, 0.01, Duration.ofSeconds(1), Duration.ZERO);
        assertThatThrownBy(() -> new LoadOptions(URI.create("http://127.0.0.1:8080"), false, Scenario.STEADY,
                Transport.SOCKET, 10, Duration.ofSeconds(5), 1_000, 4, 0.5, 2, LoadOptions.BusyGroup.NONE,
                LoadOptions.ChangeMix.NONE, Duration.ofMillis(50), 0.001, Duration.ofSeconds(10), 1.5, 0.2, Optional.empty(), Duration.ofSeconds(1),
                Optional.empty(), Optional.empty(), reconnecting))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--transport rest");
        assertThatThrownBy(() -> new LoadOptions.Chatter(1.5, 0, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--typing-share");
        assertThat(LoadOptions.Chatter.NONE.present()).isFalse();
        assertThat(options("http://127.0.0.1:8080", false, Scenario.STEADY, Optional.empty()).chatter())
                .isEqualTo(LoadOptions.Chatter.NONE);
    }

    private static LoadOptions withBusyGroup(LoadOptions.BusyGroup busyGroup) {
        return options("http://127.0.0.1:8080", false, Scenario.STEADY, Optional.empty(), busyGroup);
    }

    @Test
    void faultScenariosSwitchTheFaultOnForTheMiddleThirdAndOffAgain() {
        LoadOptions o = options("http://127.0.0.1:8080", false, Scenario.DB_OUTAGE, Optional.of("t"));
        var changes = Scenario.DB_OUTAGE.faults(new LoadOptions(o.url(), false, Scenario.DB_OUTAGE, Transport.REST, 10,
                Duration.ofSeconds(60), 1_000, 4, 0.5, 2, LoadOptions.BusyGroup.NONE, LoadOptions.ChangeMix.NONE,
                Duration.ofMillis(50), 0.001,
                Duration.ofSeconds(10), 1.5, 0.2, Optional.of("t"), Duration.ofSeconds(1), Optional.empty(),
                Optional.empty()));

        assertThat(changes).extracting(Scenario.FaultChange::at)
                .containsExactly(Duration.ofSeconds(20), Duration.ofSeconds(40));
        assertThat(changes).extracting(c -> c.faults().get("databaseDown")).containsExactly(true, false);
    }
}
