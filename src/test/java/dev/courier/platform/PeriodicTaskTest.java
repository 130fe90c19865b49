package dev.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A periodic job goes on after a run that threw, hands the failure to its handler, and stops when closed. */
class PeriodicTaskTest {

    @Test
    void aRunThatThrowsIsReportedAndTheNextRunStillComes() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        List<Exception> failures = new CopyOnWriteArrayList<>();
        CountDownLatch third = new CountDownLatch(3);
        try (PeriodicTask task = PeriodicTask.every(Duration.ofMillis(5), "periodic-test", () -> {
            third.countDown();
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("first run fails");
            }
        }, failures::add)) {
            assertThat(third.await(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(failures).hasSize(1);
        assertThat(failures.getFirst()).hasMessage("first run fails");
    }

    @Test
    void closingStopsTheScheduleAndInterruptsARunWithoutReportingIt() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        List<Exception> failures = new CopyOnWriteArrayList<>();
        CountDownLatch running = new CountDownLatch(1);
        PeriodicTask task = PeriodicTask.start(Duration.ZERO, Duration.ofMillis(5), "periodic-test", () -> {
            runs.incrementAndGet();
            running.countDown();
            Thread.sleep(10_000);
        }, failures::add);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

        task.close();
        Thread.sleep(50);

        assertThat(runs).hasValue(1);
        assertThat(failures).isEmpty();
    }
}
