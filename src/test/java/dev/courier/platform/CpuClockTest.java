package dev.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Two readings tell the cores kept busy between them, and say so when they cannot. */
class CpuClockTest {

    @Test
    void aSecondOfCpuTimeInHalfASecondIsTwoCoresBusy() {
        var earlier = new CpuClock.Reading(1_000_000_000L, 5_000_000_000L);
        var later = new CpuClock.Reading(2_000_000_000L, 5_500_000_000L);

        assertThat(later.coresSince(earlier)).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void anUnknownCpuTimeOrNoTimePassedIsUnknownNotZero() {
        var earlier = new CpuClock.Reading(-1, 0);
        assertThat(new CpuClock.Reading(-1, 1_000_000_000L).coresSince(earlier)).isEqualTo(-1);
        var known = new CpuClock.Reading(10, 7);
        assertThat(new CpuClock.Reading(20, 7).coresSince(known)).isEqualTo(-1);
    }

    @Test
    void thisProcessReadsItsOwnCpuTimeGrowing() {
        CpuClock clock = CpuClock.ofThisProcess();
        CpuClock.Reading first = clock.read();
        long until = System.nanoTime() + 50_000_000L;
        long spin = 0;
        while (System.nanoTime() < until) {
            spin++;
        }
        CpuClock.Reading second = clock.read();

        assertThat(spin).isPositive();
        assertThat(second.cpuNanos()).isGreaterThanOrEqualTo(first.cpuNanos());
        assertThat(second.coresSince(first)).isGreaterThan(0);
    }
}
