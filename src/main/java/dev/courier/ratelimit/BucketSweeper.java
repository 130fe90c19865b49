package dev.courier.ratelimit;

import dev.courier.platform.PeriodicTask;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes full buckets now and then, so the table holds only the clients that spent tokens lately: without it,
 * every address that ever created an account would keep a row forever.
 */
public final class BucketSweeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BucketSweeper.class);

    private final PeriodicTask task;

    public BucketSweeper(RateLimiter limiter, Duration every) {
        this.task = PeriodicTask.every(every, "courier-rate-bucket-sweeper", limiter::deleteRefilledBuckets,
                e -> log.warn("could not delete refilled rate-limit buckets: {}", e.getClass().getSimpleName()));
    }

    @Override
    public void close() {
        task.close();
    }
}
