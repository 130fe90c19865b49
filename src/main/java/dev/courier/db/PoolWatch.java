package dev.courier.db;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's background work: the leak sweep every {@link #SWEEP_INTERVAL}, and the reachability probe. Two
 * daemon threads, so a probe waiting on a connect never delays the sweep.
 */
final class PoolWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PoolWatch.class);

    /**
     * How often every lease's holder is looked at: a lease without a running callback is reported within this, an
     * idle holder within this on top of the warning threshold.
     */
    static final Duration SWEEP_INTERVAL = Duration.ofMillis(100);
    static final Duration PROBE_INTERVAL = Duration.ofMillis(250);

    private final ScheduledExecutorService scheduler;
    private final LeaseReclaimer reclaimer;
    private final Reachability reachability;

    PoolWatch(LeaseReclaimer reclaimer, DirectConnector direct, Consumer<PoolEvent> publish,
              HikariDataSource dataSource) {
        this.scheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("courier-pool-watch-", 0)
                .factory());
        this.reclaimer = reclaimer;
        this.reachability = new Reachability(direct::probe, scheduler, PROBE_INTERVAL, publish, () -> {
            // Connections opened before the outage are dead; replace them all rather than fail one request each.
            HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
            if (pool != null) {
                pool.softEvictConnections();
            }
        });
        scheduler.scheduleWithFixedDelay(this::sweep, SWEEP_INTERVAL.toMillis(), SWEEP_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    LeaseReclaimer reclaimer() {
        return reclaimer;
    }

    Reachability reachability() {
        return reachability;
    }

    private void sweep() {
        try {
            reclaimer.sweep();
        } catch (RuntimeException e) {
            // A failed sweep must not cancel the schedule: the next one may succeed.
            log.error("leak sweep failed", e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
