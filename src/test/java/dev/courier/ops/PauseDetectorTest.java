package dev.courier.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The detector's arithmetic on a clock of the test's making (the real thing, a SIGSTOP of a node, is in
 * {@code ProcessPauseAlertTest}): a wake-up a second or more late is a pause, timed and kept; and a pause its thread has
 * not woken up from yet already counts for whoever asks first, since the leak sweep may run before it after SIGCONT.
 */
class PauseDetectorTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long TICK = PauseDetector.TICK.toNanos();

    private final AtomicLong nanos = new AtomicLong(1_000 * SECOND);
    private final Instant wallStart = Instant.parse("2026-12-07T15:00:00Z");
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final PauseDetector detector = new PauseDetector(nanos::get,
            () -> wallStart.plusNanos(nanos.get() - 1_000 * SECOND), meters);

    @Test
    void aWakeUpTwentySecondsLateIsAPauseThatIsTimedKeptAndLeftOutOfTheAgesItSpans() {
        long before = nanos.get();
        wakeAfter(TICK);
        wakeAfter(TICK + 20 * SECOND);
        long after = nanos.get();
        wakeAfter(TICK);

        assertThat(detector.endedWithin(wallStart.plusSeconds(30), Duration.ofSeconds(60))).singleElement()
                .satisfies(p -> assertThat(p.seconds()).isEqualTo("20.0 s"));
        Timer timer = meters.get("courier.process.pause").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(TimeUnit.SECONDS)).isEqualTo(20.0);
        assertThat(detector.pausedNanos(before, nanos.get())).isEqualTo(20 * SECOND);
        assertThat(detector.pausedNanos(before, after - 5 * SECOND)).as("the part within the span")
                .isEqualTo(15 * SECOND);
        assertThat(detector.pausedNanos(after, nanos.get())).as("a span after it").isZero();
        assertThat(detector.endedWithin(wallStart.plusSeconds(120), Duration.ofSeconds(60))).as("forgotten by the "
                + "alert after its window").isEmpty();
    }

    @Test
    void aPauseItsThreadHasNotWokenUpFromYetAlreadyCounts() {
        long before = nanos.get();
        wakeAfter(TICK);
        nanos.addAndGet(TICK + 20 * SECOND);

        assertThat(detector.pausedNanos(before, nanos.get())).isEqualTo(20 * SECOND);
        assertThat(detector.endedWithin(wallStart.plusSeconds(30), Duration.ofSeconds(60))).as("not over yet")
                .isEmpty();
    }

    @Test
    void lateByLessThanASecondIsTheSchedulerNotAPause() {
        long before = nanos.get();
        wakeAfter(TICK + 900_000_000L);
        nanos.addAndGet(TICK + 900_000_000L);

        assertThat(detector.pausedNanos(before, nanos.get())).isZero();
        assertThat(meters.get("courier.process.pause").timer().count()).isZero();
    }

    private void wakeAfter(long nanosAsleep) {
        nanos.addAndGet(nanosAsleep);
        detector.tick();
    }
}
