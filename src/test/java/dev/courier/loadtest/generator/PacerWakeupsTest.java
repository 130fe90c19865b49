package dev.courier.loadtest.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.measure.GeneratorLoad;
import org.junit.jupiter.api.Test;

/** When the pacer sleeps until: never before a send's intended time, and at most once per interval. */
class PacerWakeupsTest {

    private static final long INTERVAL = PacerWakeups.INTERVAL_NANOS;

    private final PacerWakeups wakeups = new PacerWakeups();

    @Test
    void aSendAlreadyDueGoesAtOnce() {
        assertThat(wakeups.wakeFor(1_000, 5_000)).isEqualTo(5_000);
    }

    @Test
    void theFirstSendInTheFutureWakesThePacerAtItsIntendedTime() {
        assertThat(wakeups.wakeFor(9_000, 5_000)).isEqualTo(9_000);
    }

    @Test
    void sendsCloserTogetherThanTheIntervalShareOneWakeUp() {
        wakeups.wokeAt(1_000_000);
        long next = 1_000_000 + INTERVAL / 10;

        assertThat(wakeups.wakeFor(next, 1_000_100)).isEqualTo(1_000_000 + INTERVAL);
        // once woken there, every send that came due meanwhile goes without another sleep
        assertThat(wakeups.wakeFor(next + INTERVAL / 10, 1_000_000 + INTERVAL)).isEqualTo(1_000_000 + INTERVAL);
    }

    @Test
    void aSendFartherAwayThanTheIntervalIsNeverLate() {
        wakeups.wokeAt(1_000_000);
        long intended = 1_000_000 + 3 * INTERVAL;

        assertThat(wakeups.wakeFor(intended, 1_000_100)).isEqualTo(intended);
    }

    @Test
    void theIntervalIsWellBelowTheLatenessThatCountsAsFallingBehind() {
        assertThat(INTERVAL / 1e6).isLessThanOrEqualTo(GeneratorLoad.MIN_LATE_LIMIT_MS / 2);
    }
}
