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
 * Whether PostgreSQL answers, decided once for everyone. The first lost connection starts a probe outside the
 * pool; if it fails, the database is down and every caller is answered "unavailable" at once (no connect timeout
 * per request) while the probe repeats in the background. The first probe that succeeds opens the door again.
 */
final class Reachability {

    private static final Logger log = LoggerFactory.getLogger(Reachability.class);

    /** Checks the database; throws with the reason when it does not answer. */
    interface Probe {
        void check() throws Exception;
    }

    private final Probe probe;
    private final ScheduledExecutorService scheduler;
    private final Duration interval;
    private final Consumer<PoolEvent> publish;
    private final Runnable onRecovered;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile String downReason;
    private volatile String forcedDown;
    private volatile long downSinceNanos;

    Reachability(Probe probe, ScheduledExecutorService scheduler, Duration interval, Consumer<PoolEvent> publish,
                 Runnable onRecovered) {
        this.probe = probe;
        this.scheduler = scheduler;
        this.interval = interval;
        this.publish = publish;
        this.onRecovered = onRecovered;
    }

    boolean reachable() {
        return downReason == null;
    }

    /** Why the database counts as unreachable, or null. */
    String downReason() {
        return downReason;
    }

    /** A connection failed: find out whether the database is down (once, however many callers saw it). */
    void suspect() {
        if (probing.compareAndSet(false, true)) {
            schedule(0);
        }
    }

    /** Counts the database as down whatever it answers (fault injection's switch for an external database). */
    void force(String reason) {
        forcedDown = reason;
        if (reason != null) {
            markDown(reason);
        }
        suspect();
    }

    private void schedule(long delayMillis) {
        try {
            scheduler.schedule(this::probeOnce, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            probing.set(false);
        }
    }

    private void probeOnce() {
        try {
            String forced = forcedDown;
            if (forced != null) {
                throw new IllegalStateException(forced);
            }
            probe.check();
        } catch (Exception e) {
            markDown(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            schedule(interval.toMillis());
            return;
        }
        probing.set(false);
        if (downReason != null) {
            long downMillis = (System.nanoTime() - downSinceNanos) / 1_000_000;
            downReason = null;
            log.warn("PostgreSQL answers again after {} ms unreachable", downMillis);
            onRecovered.run();
            publish.accept(new PoolEvent.DatabaseReachable());
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
