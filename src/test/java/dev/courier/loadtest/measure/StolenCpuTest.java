package dev.courier.loadtest.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class StolenCpuTest {

    private static StolenCpu reading(String... lines) {
        Deque<String> next = new ArrayDeque<>(Arrays.asList(lines));
        return new StolenCpu(next::poll);
    }

    @Test
    void theStolenShareIsStealOverAllTicksBetweenTwoSamples() {
        StolenCpu stolen = reading(
                "cpu  100 0 50 800 10 0 5 35 0 0",
                // +60 user, +20 system, +90 idle, +30 steal (guest and guest_nice are inside user: not added)
                "cpu  160 0 70 890 10 0 5 65 40 0");
        assertThat(stolen.sample()).isEqualTo(30.0 / 200);
    }

    @Test
    void withoutTheKernelsCountersTheShareIsUnknown() {
        assertThat(reading().sample()).isEqualTo(-1);
        assertThat(reading("cpu  1 0 1 1 0 0 0 0", "intr 12345").sample()).isEqualTo(-1);
        assertThat(reading("cpu0 1 0 1 1 0 0 0 0", "cpu0 2 0 2 2 0 0 0 0").sample()).isEqualTo(-1);
        assertThat(reading("cpu  1 0 1 1", "cpu  2 0 2 2").sample()).as("a kernel without steal").isEqualTo(-1);
    }

    @Test
    void noTicksBetweenTwoSamplesIsUnknownNotZero() {
        assertThat(reading("cpu  1 0 1 1 0 0 0 0", "cpu  1 0 1 1 0 0 0 0").sample()).isEqualTo(-1);
    }

    @Test
    void eachSampleCoversTheTimeSinceTheOneBefore() {
        StolenCpu stolen = reading("cpu  0 0 0 0 0 0 0 0", "cpu  50 0 0 0 0 0 0 50", "cpu  150 0 0 0 0 0 0 50");
        assertThat(stolen.sample()).isEqualTo(0.5);
        assertThat(stolen.sample()).isEqualTo(0.0);
    }

    @Test
    void thisHostsCountersGiveAShareOrUnknown() {
        double share = StolenCpu.ofHost().sample();
        assertThat(share == -1 || share >= 0 && share <= 1).as("share %s", share).isTrue();
    }
}
