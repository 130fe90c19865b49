package dev.courier.accounts;

import dev.courier.db.Database;
import dev.courier.messages.Message;
import dev.courier.messages.Tombstones;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the messages of deleted accounts into tombstones, in batches, in the background. A deletion is recorded in
 * {@code account_deletions} by the transaction that deletes the account; each batch locks that row (skipping it when
 * another node holds it), tombstones the next page of the user's messages and moves the row's cursor in one
 * transaction. A crash loses at most the batch in flight, which rolled back: the next node to look (this one after a
 * restart, or any other) carries on from the cursor. Running a batch twice changes nothing: a tombstone is not
 * tombstoned again.
 */
public final class AccountErasure implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccountErasure.class);

    /** Rows per transaction: each holds its messages' locks for a few milliseconds. */
    static final int BATCH = 500;
    /** Between batches, so that the erasure of a large account never takes the database from the senders. */
    private static final Duration PAUSE = Duration.ofMillis(20);
    /** How often unfinished deletions are looked for without a nudge (another node's, or one left by a crash). */
    private static final Duration LOOK_EVERY = Duration.ofSeconds(30);

    private final Database db;
    private final Tombstones tombstones;
    private final Semaphore nudges = new Semaphore(0);
    private final Thread worker;
    private volatile boolean closed;

    AccountErasure(Database db, Tombstones tombstones, boolean background) {
        this.db = db;
        this.tombstones = tombstones;
        this.worker = background ? Thread.ofVirtual().name("account-erasure").start(this::runUntilClosed) : null;
    }

    /** In the deleting transaction: the user's messages are to become tombstones. */
    void record(Handle h, long userId) {
        h.createUpdate("INSERT INTO account_deletions (user_id) VALUES (:u) ON CONFLICT (user_id) DO NOTHING")
                .bind("u", userId).execute();
    }

    /** A deletion was recorded: start on it now rather than at the next look. */
    void wake() {
        nudges.release();
    }

    /** Works through every unfinished deletion this node can take; the number of messages tombstoned. */
    int eraseUnfinished() {
        int total = 0;
        while (!closed) {
            Batch batch = db.inTransaction("accounts.erase", this::nextBatch);
            if (batch == null) {
                return total;
            }
            tombstones.announce(batch.tombstoned());
            total += batch.tombstoned().size();
            if (!batch.finished()) {
                pause();
            }
        }
        return total;
    }

    private record Batch(List<Message> tombstoned, boolean finished) {
    }

    private Batch nextBatch(Handle h) {
        // a change of one of these messages by someone else holds it only for milliseconds; beyond a second, give up
        // this batch and try again at the next look
        h.execute("SET LOCAL lock_timeout = '1s'");
        var row = h.createQuery("SELECT user_id, after_conversation_id, after_seq FROM account_deletions "
                        + "WHERE finished_at IS NULL ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED")
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                .findOne();
        if (row.isEmpty()) {
            return null;
        }
        long userId = row.get()[0];
        Tombstones.SenderPage page = tombstones.tombstoneSentBy(h, userId, row.get()[1], row.get()[2], BATCH);
        boolean finished = page.scanned() == 0;
        if (finished) {
            h.createUpdate("UPDATE account_deletions SET finished_at = now() WHERE user_id = :u")
                    .bind("u", userId).execute();
        } else {
            h.createUpdate("UPDATE account_deletions SET after_conversation_id = :c, after_seq = :s WHERE user_id = :u")
                    .bind("u", userId)
                    .bind("c", page.lastConversationId())
                    .bind("s", page.lastSeq())
                    .execute();
        }
        if (finished) {
            log.info("the messages of deleted account {} are all tombstones now", userId);
        }
        return new Batch(page.tombstoned(), finished);
    }

    private void runUntilClosed() {
        while (!closed) {
            try {
                eraseUnfinished();
            } catch (RuntimeException e) {
                log.warn("erasing deleted accounts' messages failed: {}; trying again in {} s", e.toString(),
                        LOOK_EVERY.toSeconds());
            }
            try {
                nudges.tryAcquire(LOOK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                nudges.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(PAUSE);
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
