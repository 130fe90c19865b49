package dev.courier.ratelimit;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes full buckets now and then, so the table holds only the clients that spent tokens lately: without it,
 * every address that ever created an account would keep a row forever.
 */
public final class BucketSweeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BucketSweeper.class);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("courier-rate-bucket-sweeper").factory());

    public BucketSweeper(RateLimiter limiter, Duration every) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                limiter.deleteRefilledBuckets();
            } catch (RuntimeException e) {
                log.warn("could not delete refilled rate-limit buckets: {}", e.getClass().getSimpleName());
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
