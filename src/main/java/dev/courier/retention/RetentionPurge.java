package dev.courier.retention;

import dev.courier.config.RetentionConfig;
import dev.courier.db.Database;
import dev.courier.messages.Message;
import dev.courier.messages.Tombstones;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --retention}: turns messages older than the retention into tombstones, the way a user's delete does
 * ({@link Tombstones}: each gets a {@code changeSeq}, and members' streams a {@code message_changed}; seqs never
 * change). Small batches, each its own transaction; a batch skips messages another change holds ({@code SKIP LOCKED})
 * and gives up after a short lock timeout on a change counter, so a send never waits for a purge (a send locks the
 * conversation's row, which a purge never touches) and an edit waits at most that timeout.
 *
 * <p>Locks are not what a purge costs the senders; its share of the database is (the WAL it writes, the CPU and the
 * disk it takes). With a fixed 50 ms pause after each batch of 500, a purge took some 3,000 messages a second and
 * multiplied the senders' p99 by about nine on a busy two-core machine (bench/results/2026-12-07-retention.md). So
 * the purge paces itself by duty cycle: after a batch it pauses four times as long as the batch took (at least the
 * configured pause), using at most a fifth of one connection's time, and less when the database is slow. Retention
 * is not in a hurry. Every node runs one; two nodes' batches take disjoint messages.
 */
public final class RetentionPurge implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

    private final Database db;
    private final Tombstones tombstones;
    private final RetentionConfig config;
    private final Duration maxAge;
    private final Thread worker;
    private volatile boolean closed;

    private RetentionPurge(Database db, Tombstones tombstones, RetentionConfig config, boolean background) {
        this.db = db;
        this.tombstones = tombstones;
        this.config = config;
        this.maxAge = config.maxAge().orElseThrow();
        this.worker = background ? Thread.ofVirtual().name("retention-purge").start(this::runUntilClosed) : null;
    }

    /** Starts the purge in the background; none when retention is off. */
    public static AutoCloseable start(Database db, Tombstones tombstones, RetentionConfig config) {
        if (config.maxAge().isEmpty()) {
            return () -> { };
        }
        log.info("retention: messages older than {} become tombstones", config.maxAge().get());
        return new RetentionPurge(db, tombstones, config, true);
    }

    /** A purge run by its caller, one {@link #purgeOnce} at a time (tests and benches). */
    public static RetentionPurge manual(Database db, Tombstones tombstones, RetentionConfig config) {
        return new RetentionPurge(db, tombstones, config, false);
    }

    /**
     * Tombstones expired messages batch after batch until none is left (or the purge is closed); the number
     * tombstoned. A batch that fails (a lock not granted in time) is retried after the pause.
     */
    public long purgeOnce() {
        long total = 0;
        int failuresInARow = 0;
        while (!closed) {
            Instant cutoff = Instant.now().minus(maxAge);
            long started = System.nanoTime();
            List<Message> batch;
            try {
                batch = db.inTransaction("retention.purge", h -> {
                    h.execute("SET LOCAL lock_timeout = '" + config.lockTimeout().toMillis() + "ms'");
                    return tombstones.tombstoneCreatedBefore(h, cutoff, config.batchSize());
                });
                failuresInARow = 0;
            } catch (RuntimeException e) {
                if (++failuresInARow >= 10) {
                    throw e;
                }
                log.debug("retention batch gave way: {}", e.toString());
                pause();
                continue;
            }
            tombstones.announce(batch);
            total += batch.size();
            if (batch.size() < config.batchSize()) {
                return total;
            }
            sleep(pauseAfter(Duration.ofNanos(System.nanoTime() - started), config.pause()));
        }
        return total;
    }

    private void runUntilClosed() {
        while (!closed) {
            try {
                long purged = purgeOnce();
                if (purged > 0) {
                    log.info("retention: {} messages older than {} became tombstones", purged, maxAge);
                }
            } catch (RuntimeException e) {
                log.warn("retention purge failed: {}; trying again in {} s", e.toString(),
                        config.idleCheck().toSeconds());
            }
            sleep(config.idleCheck());
        }
    }

    private void pause() {
        sleep(config.pause());
    }

    /** Four times as long as the batch took, at least {@code minimum}: the purge's duty cycle is at most a fifth. */
    static Duration pauseAfter(Duration batchTook, Duration minimum) {
        Duration proportional = batchTook.multipliedBy(4);
        return proportional.compareTo(minimum) > 0 ? proportional : minimum;
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (worker != null) {
            worker.interrupt();
        }
    }
}
