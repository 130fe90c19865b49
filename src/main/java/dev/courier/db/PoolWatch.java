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
 * The pool's background work: the leak sweep every {@link #SWEEP_INTERVAL}, and the reachability probe on its own
 * connection. Two daemon threads, so a probe waiting for an answer never delays the sweep.
 */
final class PoolWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PoolWatch.class);

    /**
     * How often every lease's holder is looked at: a lease without a running callback is reported within this, an
     * idle holder within this on top of the warning threshold.
     */
    static final Duration SWEEP_INTERVAL = Duration.ofMillis(100);
    /**
     * Probes while PostgreSQL answers: with {@link #ANSWER_BOUND}, a server that stops answering is found unreachable
     * within 1.5 s, at the cost of two {@code SELECT 1} a second on one connection.
     */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(500);
    /** Probes while it does not: the first one that succeeds opens the door again. */
    static final Duration PROBE_INTERVAL = Duration.ofMillis(250);
    /** How long a probe waits for {@code SELECT 1} on its open connection before the database counts as unreachable. */
    static final Duration ANSWER_BOUND = Duration.ofSeconds(1);
    /**
     * The same behind a transaction pooler, where the probe's statement may also queue for a server connection while
     * the pooler's are all busy: saturation there must not look like an outage, so the verdict takes longer.
     */
    static final Duration ANSWER_BOUND_BEHIND_POOLER = Duration.ofSeconds(3);

    private final ScheduledExecutorService scheduler;
    private final LeaseReclaimer reclaimer;
    private final HeartbeatConnection heartbeat;
    private final Reachability reachability;

    PoolWatch(LeaseReclaimer reclaimer, DirectConnector direct, Consumer<PoolEvent> publish,
              HikariDataSource dataSource, PausedTime pauses) {
        this.scheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("courier-pool-watch-", 0)
                .factory());
        this.reclaimer = reclaimer;
        this.heartbeat = new HeartbeatConnection(direct, direct.transactionPooled() ? ANSWER_BOUND_BEHIND_POOLER
                : ANSWER_BOUND);
        // On recovery: connections opened before the outage are dead; replace them all rather than fail one request each.
        Runnable renewPool = () -> {
            HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
            if (pool != null) {
                pool.softEvictConnections();
            }
        };
        this.reachability = new Reachability(heartbeat, scheduler, HEARTBEAT_INTERVAL, PROBE_INTERVAL, pauses,
                publish, renewPool);
        scheduler.scheduleWithFixedDelay(this::sweep, SWEEP_INTERVAL.toMillis(), SWEEP_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        reachability.start();
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
        heartbeat.close();
    }
}
