package dev.courier.platform;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A job run on a daemon thread of its own, again a fixed delay after each run ends, until closed. A run that throws
 * is handed to the task's failure handler and the schedule goes on: a scheduled executor given the job itself would
 * stop running it for good the first time it threw, and say nothing.
 */
public final class PeriodicTask implements AutoCloseable {

    /** One run of the job. */
    @FunctionalInterface
    public interface Job {
        void run() throws Exception;
    }

    /** What to do with a run that threw; the next run comes on schedule whatever it does. */
    @FunctionalInterface
    public interface FailureHandler {
        void failed(Exception e);
    }

    private final ScheduledExecutorService scheduler;

    private PeriodicTask(String threadName, Duration firstAfter, Duration every, Job job, FailureHandler failures) {
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name(threadName).factory());
        scheduler.scheduleWithFixedDelay(() -> runOnce(job, failures), firstAfter.toMillis(), every.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Runs {@code job} every {@code every}, the first time {@code every} from now. */
    public static PeriodicTask every(Duration every, String threadName, Job job, FailureHandler failures) {
        return new PeriodicTask(threadName, every, every, job, failures);
    }

    /** Runs {@code job} {@code firstAfter} from now, then every {@code every}. */
    public static PeriodicTask start(Duration firstAfter, Duration every, String threadName, Job job,
            FailureHandler failures) {
        return new PeriodicTask(threadName, firstAfter, every, job, failures);
    }

    private static void runOnce(Job job, FailureHandler failures) {
        try {
            job.run();
        } catch (InterruptedException e) {
            // close() interrupts a run in progress; that is the end of it, not a failure to report
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failures.failed(e);
        }
    }

    /** Stops the schedule and interrupts a run in progress. */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
