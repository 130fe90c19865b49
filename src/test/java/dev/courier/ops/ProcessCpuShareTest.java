package dev.courier.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.courier.platform.CpuClock;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The CPU share is CPU time over wall time times the cores, taken over at least a second, and stays within 0 to 1. */
class ProcessCpuShareTest {

    private final AtomicLong cpu = new AtomicLong();
    private final AtomicLong wall = new AtomicLong();
    private final ProcessCpuShare share = new ProcessCpuShare(new CpuClock(cpu::get, wall::get), 2);

    @Test
    void oneBusyCoreOfTwoIsHalfTheNode() {
        wall.addAndGet(2_000_000_000L);
        cpu.addAndGet(2_000_000_000L);

        assertThat(share.share()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void readingsWithinASecondOfTheLastRepeatItRatherThanJudgeAnInstant() {
        wall.addAndGet(1_000_000_000L);
        cpu.addAndGet(500_000_000L);
        assertThat(share.share()).isCloseTo(0.25, within(1e-9));

        wall.addAndGet(1_000_000L);
        cpu.addAndGet(2_000_000L);
        assertThat(share.share()).as("a millisecond of both cores busy is not a saturated node")
                .isCloseTo(0.25, within(1e-9));

        wall.addAndGet(1_000_000_000L);
        assertThat(share.share()).as("measured from the last reading taken, not from the repeated one")
                .isCloseTo(0.001, within(1e-5));
    }

    @Test
    void theShareStaysWithinZeroAndOneWhateverTheCountersSay() {
        wall.addAndGet(1_000_000_000L);
        cpu.addAndGet(5_000_000_000L);
        assertThat(share.share()).isEqualTo(1.0);

        wall.addAndGet(1_000_000_000L);
        cpu.addAndGet(-1_000_000_000L);
        assertThat(share.share()).isEqualTo(0.0);
    }
}
