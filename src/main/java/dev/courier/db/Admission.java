package dev.courier.db;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import dev.courier.config.PoolConfig;
import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How many operations from outside may run at once: an adaptive limit (Netflix concurrency-limits, Gradient2) that
 * follows how long admitted operations take. While they finish as fast as they did on average over the last few
 * hundred, the limit grows towards its ceiling; when they start to take longer (they queue for CPU, for a pool
 * connection, for a message writer) it shrinks, so the work already admitted keeps its pace and the excess is refused
 * in microseconds instead of joining a queue where it would miss its deadline anyway.
 *
 * <p>Gradient2 rather than Vegas or AIMD: Vegas judges queueing against the smallest round trip ever seen, which one
 * lucky sample on a noisy shared host sets too low for good; AIMD needs drops to learn, and by the time requests time
 * out the collapse has begun. Gradient2 compares a short average with a long one, so it tolerates a slow host and
 * reacts to a trend within a window of samples.
 */
final class Admission {

    /** A place taken under the limit; told once how the operation went. */
    record Ticket(Limiter.Listener listener) {

        /** The operation ran; its duration is a sample of how long admitted work takes. */
        void completed() {
            listener.onSuccess();
        }

        /** The operation was refused downstream for lack of capacity: a sign of overload, and no sample. */
        void dropped() {
            listener.onDropped();
        }

        /** The operation's duration is no sample of how long admitted work takes. */
        void ignored() {
            listener.onIgnore();
        }
    }

    private final SimpleLimiter<Void> limiter;

    Admission(PoolConfig pool, MeterRegistry meters) {
        int ceiling = ceiling(pool);
        int floor = Math.min(ceiling, pool.maxSize());
        Gradient2Limit gradient = Gradient2Limit.newBuilder()
                // From the ceiling down, not from the floor up: a fresh server must take a burst it can serve (fifty
                // sends at once are one batch for the writers), and the limit falls within a window once work slows.
                .initialLimit(ceiling)
                .minLimit(floor)
                .maxConcurrency(ceiling)
                .build();
        // Samples judged in windows rather than one by one: a single slow login (password hashing) or history page
        // must not move the limit, a window of them should.
        WindowedLimit windowed = WindowedLimit.newBuilder()
                .minWindowTime(100, TimeUnit.MILLISECONDS)
                .maxWindowTime(500, TimeUnit.MILLISECONDS)
                .windowSize(20)
                .build(gradient);
        this.limiter = SimpleLimiter.newBuilder().named("courier-admission").limit(windowed).build();
        Gauge.builder(MetricNames.DB_ADMITTED, limiter::getInflight)
                .description("Operations admitted in front of the pool right now").register(meters);
        Gauge.builder(MetricNames.DB_ADMISSION_LIMIT, limiter::getLimit)
                .description("The adaptive admission limit: operations that may run at once right now").register(meters);
    }

    /**
     * The most operations ever admitted at once: 16 per connection. An operation holds a connection for a few
     * milliseconds and may wait at most the acquisition deadline, so more than {@code size x deadline / hold} could
     * never all be served in time; at 250 ms and holds of ~10 ms that is 25 per connection.
     */
    static int ceiling(PoolConfig pool) {
        return Math.max(64, pool.maxSize() * 16);
    }

    int limit() {
        return limiter.getLimit();
    }

    /** The share of the limit in use right now, 0 to 1. */
    double inUseShare() {
        int limit = limiter.getLimit();
        return limit <= 0 ? 1.0 : Math.min(1.0, (double) limiter.getInflight() / limit);
    }

    boolean limitReached() {
        return limiter.getInflight() >= limiter.getLimit();
    }

    /** A place under the limit, or empty when the limit is reached and the operation must be refused now. */
    Optional<Ticket> tryEnter() {
        return limiter.acquire(null).map(Ticket::new);
    }
}
