package dev.courier.loadtest.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.measure.OutcomeBuckets;
import dev.courier.loadtest.measure.OutcomesBySecond;
import org.junit.jupiter.api.Test;

class DrillRecoveryTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void recoveryIsTheFirstSecondAfterWhichNoSendFailed() {
        OutcomeBuckets outcomes = new OutcomeBuckets(0, 30);
        for (int s = 0; s < 30; s++) {
            boolean down = s >= 10 && s < 23;
            outcomes.record(s * SECOND + 1, !down);
        }
        outcomes.record(21 * SECOND + 5, true); // a success inside the failing tail does not end it early

        OutcomesBySecond bySecond = outcomes.snapshot();

        assertThat(Drill.recovery(bySecond, 20.0, 30)).isEqualTo(3.0);
        assertThat(bySecond.availability(10, 20)).isZero();
        assertThat(bySecond.availability(0, 10)).isEqualTo(1.0);
    }

    @Test
    void sendsFailingToTheEndMeanNoRecovery() {
        OutcomeBuckets outcomes = new OutcomeBuckets(0, 10);
        outcomes.record(9 * SECOND, false);

        assertThat(Drill.recovery(outcomes.snapshot(), 5.0, 10)).isEqualTo(-1);
    }
}
