package dev.courier.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A queue stands when sends wait longer than the target for a whole interval, not when a burst passes through. */
class StandingQueueTest {

    private static final long MS = 1_000_000;

    private final StandingQueue queue = new StandingQueue(Duration.ofMillis(20), Duration.ofMillis(100));

    @Test
    void aBurstThatDrainsWithinTheIntervalDoesNotStand() {
        queue.waited(50 * MS, 0);
        queue.waited(80 * MS, 60 * MS);
        queue.waited(5 * MS, 90 * MS);
        queue.waited(30 * MS, 150 * MS);

        assertThat(queue.standing()).isFalse();
    }

    @Test
    void waitsAboveTheTargetForAWholeIntervalStand() {
        queue.waited(30 * MS, 0);
        queue.waited(25 * MS, 60 * MS);
        assertThat(queue.standing()).as("not yet a whole interval").isFalse();

        queue.waited(40 * MS, 100 * MS);
        assertThat(queue.standing()).isTrue();
    }

    @Test
    void oneSendWithinTheTargetEndsIt() {
        queue.waited(30 * MS, 0);
        queue.waited(30 * MS, 200 * MS);
        assertThat(queue.standing()).isTrue();

        queue.waited(20 * MS, 210 * MS);
        assertThat(queue.standing()).isFalse();
    }

    @Test
    void aDrainedQueueDoesNotStand() {
        queue.waited(30 * MS, 0);
        queue.waited(30 * MS, 200 * MS);

        queue.drained();

        assertThat(queue.standing()).isFalse();
        queue.waited(30 * MS, 210 * MS);
        assertThat(queue.standing()).as("a new run of long waits starts its interval afresh").isFalse();
    }
}
