package dev.courier.db;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether PostgreSQL answers, decided once for everyone. A probe outside the pool runs all the time, every
 * {@code upInterval} while the database answers and every {@code downInterval} while it does not, and a lost
 * connection anywhere starts one at once. A probe that fails makes the database unreachable: every caller is answered
 * "unavailable" at once (no connect timeout per request) until a probe succeeds again.
 *
 * <p>The probe runs whether or not requests fail, because a stopped server fails nothing: it keeps its sockets, and
 * its callers only wait, which looks like a busy database ("overloaded") until something times out. The probe's own
 * bound ({@link HeartbeatConnection}) tells the two apart within a second.
 *
 * <p>A probe that failed across a pause of this process ({@link PausedTime}) proves nothing about the database (its
 * answer may have waited in the socket while the process was stopped): it gives no verdict, and the next one decides.
 */
final class Reachability {

    private static final Logger log = LoggerFactory.getLogger(Reachability.class);
    /** Many callers see the same lost connection at once: one extra probe for all of them. */
    private static final long MIN_NANOS_BETWEEN_SUSPICIONS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Checks the database; throws with the reason when it does not answer. */
    interface Probe {
        void check() throws Exception;
    }

    private final Probe probe;
    private final ScheduledExecutorService scheduler;
    private final Duration upInterval;
    private final Duration downInterval;
    private final PausedTime pauses;
    private final Consumer<PoolEvent> publish;
    private final Runnable onRecovered;
    /** One probe at a time: the scheduled ones and those a suspicion starts share the probe's connection. */
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile long lastProbeStartNanos = System.nanoTime() - MIN_NANOS_BETWEEN_SUSPICIONS;
    private volatile String downReason;
    private volatile String forcedDown;
    private volatile long downSinceNanos;

    Reachability(Probe probe, ScheduledExecutorService scheduler, Duration upInterval, Duration downInterval,
                 PausedTime pauses, Consumer<PoolEvent> publish, Runnable onRecovered) {
        this.probe = probe;
        this.scheduler = scheduler;
        this.upInterval = upInterval;
        this.downInterval = downInterval;
        this.pauses = pauses;
        this.publish = publish;
        this.onRecovered = onRecovered;
    }

    /** Starts probing, the first probe at once. */
    void start() {
        schedule(this::probeAndScheduleNext, 0);
    }

    boolean reachable() {
        return downReason == null;
    }

    /** Why the database counts as unreachable, or null. */
    String downReason() {
        return downReason;
    }

    /**
     * A connection failed: look now rather than at the next scheduled probe. While the database is already down the
     * scheduled probes look often enough.
     */
    void suspect() {
        if (downReason == null && System.nanoTime() - lastProbeStartNanos >= MIN_NANOS_BETWEEN_SUSPICIONS) {
            schedule(this::probeOnce, 0);
        }
    }

    /** Probes now, up or down (after the database was stopped or started on purpose). */
    void lookNow() {
        schedule(this::probeOnce, 0);
    }

    /** Counts the database as down whatever it answers (fault injection's switch for an external database). */
    void force(String reason) {
        forcedDown = reason;
        if (reason != null) {
            markDown(reason);
        }
        lookNow();
    }

    private void schedule(Runnable task, long delayMillis) {
        try {
            scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the pool is closing: no more probes
        }
    }

    private void probeAndScheduleNext() {
        try {
            probeOnce();
        } finally {
            schedule(this::probeAndScheduleNext, (reachable() ? upInterval : downInterval).toMillis());
        }
    }

    private void probeOnce() {
        if (!probing.compareAndSet(false, true)) {
            return;
        }
        try {
            long start = System.nanoTime();
            lastProbeStartNanos = start;
            try {
                String forced = forcedDown;
                if (forced != null) {
                    throw new IllegalStateException(forced);
                }
                probe.check();
            } catch (Exception e) {
                if (pauses.pausedNanos(start, System.nanoTime()) > 0) {
                    log.debug("a reachability probe failed across a pause of this process; no verdict: {}",
                            e.toString());
                    return;
                }
                markDown(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                return;
            }
            String forced = forcedDown;
            if (forced != null) {
                // switched off while this probe ran: the switch wins
                markDown(forced);
                return;
            }
            if (downReason != null) {
                long downMillis = (System.nanoTime() - downSinceNanos) / 1_000_000;
                downReason = null;
                log.warn("PostgreSQL answers again after {} ms unreachable", downMillis);
                onRecovered.run();
                publish.accept(new PoolEvent.DatabaseReachable());
            }
        } finally {
            probing.set(false);
        }
    }

    private void markDown(String reason) {
        if (downReason == null) {
            downSinceNanos = System.nanoTime();
            downReason = reason;
            log.error("PostgreSQL is unreachable ({}); answering 503 unavailable until it answers again", reason);
            publish.accept(new PoolEvent.DatabaseUnreachable(reason));
        } else {
            downReason = reason;
        }
    }
}
