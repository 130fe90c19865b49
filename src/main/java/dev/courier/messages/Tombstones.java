package dev.courier.messages;

import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Tombstones in bulk, for retention and the erasure of deleted accounts, on a handle lent by the caller's transaction.
 * A bulk tombstone is the same change as a user's delete ({@link MessageChanges}): the body, mentions, reactions and
 * attachments emptied (the links to attachments go through the {@link TombstoneFollower}), {@code deletedAt} set, the conversation's change counter raised once per message so that each tombstone
 * gets its own {@code changeSeq}, and a {@code message_changed} to the members' streams once committed
 * ({@link #announce}). Seqs never change.
 *
 * <p>Locks are taken in the order a single change takes them, messages first and then the change counters (in
 * conversation order), so a batch and a user's change can queue behind each other but never deadlock. The counters are
 * held from the statement to the commit; the caller keeps batches small and its lock timeout short, so a change that
 * waits for a batch waits milliseconds.
 */
public final class Tombstones {

    private static final String M_COLUMNS = "m." + MessageStore.COLUMNS.replace(", ", ", m.");

    private final EventSink events;
    private final TombstoneFollower follower;

    public Tombstones(EventSink events, TombstoneFollower follower) {
        this.events = events;
        this.follower = follower;
    }

    /** A page of a sender's messages in (conversation, seq) order: where it ended, and the tombstones it made. */
    public record SenderPage(long lastConversationId, long lastSeq, int scanned, List<Message> tombstoned) {
    }

    /**
     * Tombstones the sender's messages after position ({@code afterConversationId}, {@code afterSeq}), at most
     * {@code limit} of them (tombstones already there count towards the page, so each page moves the position on
     * by {@code limit} rows). Waits for a message another change holds; empty {@code tombstoned} with
     * {@code scanned == 0} means the sender has no messages left beyond the position.
     */
    public SenderPage tombstoneSentBy(Handle h, long senderId, long afterConversationId, long afterSeq, int limit) {
        List<long[]> positions = h.createQuery("SELECT conversation_id, seq FROM messages "
                        + "WHERE sender_id = :u AND (sender_id, conversation_id, seq) > (:u, :c, :s) "
                        + "ORDER BY sender_id, conversation_id, seq LIMIT :n")
                .bind("u", senderId)
                .bind("c", afterConversationId)
                .bind("s", afterSeq)
                .bind("n", limit)
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
                .list();
        if (positions.isEmpty()) {
            return new SenderPage(afterConversationId, afterSeq, 0, List.of());
        }
        long[] last = positions.getLast();
        List<Message> tombstoned = tombstone(h, "SELECT id, conversation_id, seq FROM messages "
                        + "WHERE sender_id = :u AND (sender_id, conversation_id, seq) > (:u, :c, :s) "
                        + "AND (sender_id, conversation_id, seq) <= (:u, :lastC, :lastS) AND deleted_at IS NULL "
                        + "ORDER BY sender_id, conversation_id, seq FOR NO KEY UPDATE",
                q -> q.bind("u", senderId).bind("c", afterConversationId).bind("s", afterSeq)
                        .bind("lastC", last[0]).bind("lastS", last[1]));
        return new SenderPage(last[0], last[1], positions.size(), tombstoned);
    }

    /**
     * Tombstones up to {@code limit} of the oldest messages created before {@code cutoff} that are not tombstones yet.
     * Skips a message another change holds ({@code SKIP LOCKED}): the next batch finds it.
     */
    public List<Message> tombstoneCreatedBefore(Handle h, Instant cutoff, int limit) {
        return tombstone(h, "SELECT id, conversation_id, seq FROM messages "
                        + "WHERE deleted_at IS NULL AND created_at < :cutoff "
                        + "ORDER BY created_at LIMIT :n FOR NO KEY UPDATE SKIP LOCKED",
                q -> q.bind("cutoff", java.sql.Timestamp.from(cutoff)).bind("n", limit));
    }

    /** Tells the members' streams, on every node, once the transaction that made them has committed. */
    public void announce(List<Message> tombstoned) {
        for (Message message : tombstoned) {
            events.publish(new DomainEvent.MessageChanged(message));
        }
    }

    private List<Message> tombstone(Handle h, String picking,
                                    java.util.function.UnaryOperator<org.jdbi.v3.core.statement.Query> binding) {
        List<Message> tombstoned = binding.apply(h.createQuery("WITH picked AS (" + picking + "), "
                        + "counts AS (SELECT conversation_id, count(*) AS n FROM picked GROUP BY conversation_id), "
                        + "raised AS (INSERT INTO conversation_changes AS k (conversation_id, last_change_seq) "
                        + "SELECT conversation_id, n FROM counts ORDER BY conversation_id "
                        + "ON CONFLICT (conversation_id) DO UPDATE "
                        + "SET last_change_seq = k.last_change_seq + excluded.last_change_seq "
                        + "RETURNING k.conversation_id, k.last_change_seq), "
                        + "numbered AS (SELECT p.id, r.last_change_seq - c.n "
                        + "+ row_number() OVER (PARTITION BY p.conversation_id ORDER BY p.seq) AS change_seq "
                        + "FROM picked p JOIN counts c ON c.conversation_id = p.conversation_id "
                        + "JOIN raised r ON r.conversation_id = p.conversation_id) "
                        + "UPDATE messages m SET body = '', deleted_at = now(), mentions = '{}', reactions = '[]', "
                        + "attachments = '[]', "
                        + "change_seq = numbered.change_seq FROM numbered WHERE m.id = numbered.id "
                        + "RETURNING " + M_COLUMNS))
                .map((rs, ctx) -> MessageStore.message(rs))
                .list();
        if (!tombstoned.isEmpty()) {
            follower.tombstoned(h, tombstoned.stream().map(Message::id).toList());
        }
        return tombstoned.stream()
                .sorted(java.util.Comparator.comparingLong(Message::conversationId).thenComparingLong(Message::changeSeq))
                .toList();
    }
}
