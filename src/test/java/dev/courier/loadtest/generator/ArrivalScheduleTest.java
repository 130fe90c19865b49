package dev.courier.loadtest.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.RateProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {

    private static List<Long> all(ArrivalSchedule schedule) {
        List<Long> times = new ArrayList<>();
        while (schedule.hasNext()) {
            times.add(schedule.next());
        }
        return times;
    }

    @Test
    void aConstantRateSpacesArrivalsEvenlyFromTheStart() {
        List<Long> times = all(new ArrivalSchedule(RateProfile.constant(100), 5_000, Duration.ofSeconds(2), 1_000_000));

        assertThat(times).hasSize(200);
        assertThat(times.getFirst()).isEqualTo(5_000);
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).isEqualTo(10_000_000L);
        }
    }

    @Test
    void aSpikeMultipliesArrivalsOnlyInsideItsWindow() {
        RateProfile spike = RateProfile.spike(10, 10, Duration.ofSeconds(1), Duration.ofSeconds(2));
        List<Long> times = all(new ArrivalSchedule(spike, 0, Duration.ofSeconds(3), 1_000_000));

        long before = times.stream().filter(t -> t < 1_000_000_000L).count();
        long during = times.stream().filter(t -> t >= 1_000_000_000L && t < 2_000_000_000L).count();
        long after = times.stream().filter(t -> t >= 2_000_000_000L).count();
        assertThat(before).isEqualTo(10);
        assertThat(during).isEqualTo(100);
        assertThat(after).isEqualTo(10);
    }

    @Test
    void rampStepsMultiplyTheRateStepByStep() {
        RateProfile steps = RateProfile.steps(10, 2, Duration.ofSeconds(1));
        List<Long> times = all(new ArrivalSchedule(steps, 0, Duration.ofSeconds(3), 1_000_000));

        assertThat(times.stream().filter(t -> t < 1_000_000_000L).count()).isEqualTo(10);
        assertThat(times.stream().filter(t -> t >= 1_000_000_000L && t < 2_000_000_000L).count()).isEqualTo(20);
        assertThat(times.stream().filter(t -> t >= 2_000_000_000L).count()).isEqualTo(40);
    }

    @Test
    void theMessageBoundStopsTheScheduleBeforeItsEnd() {
        ArrivalSchedule schedule = new ArrivalSchedule(RateProfile.constant(1000), 0, Duration.ofHours(24), 50);

        assertThat(all(schedule)).hasSize(50);
        assertThat(schedule.hasNext()).isFalse();
    }

    @Test
    void noTwoArrivalsShareAnIntendedTimeEvenAboveANanosecondApart() {
        // A send's clientMsgId is made from its intended time, so two equal times would be one clientMsgId.
        List<Long> times = all(new ArrivalSchedule(RateProfile.constant(5e9), 0, Duration.ofNanos(100), 1_000));

        assertThat(times).hasSize(100).isSorted().doesNotHaveDuplicates();
    }
}
