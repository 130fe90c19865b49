package dev.courier.messages;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * SQL for changes to stored messages (edits, deletes, reactions) and the per-conversation change counter that numbers
 * them, on a handle lent by the caller's transaction. A change locks its message's row, then raises the counter (in
 * {@code conversation_changes}, never the conversation's own row, which sends lock) and writes the row in one
 * statement: every change takes its locks in that order, so two changes queue rather than deadlock, and the counter
 * is held only for that statement and the commit. Two round trips and the commit are all a change holds a
 * connection for.
 */
final class ChangeStore {

    /** A message about to change, and the owner of its conversation (null for a direct conversation). */
    record Target(Message message, Long ownerId) {
    }

    /**
     * Message {@code seq} of the conversation, locked against other changes until the transaction ends; empty when
     * there is no such message or {@code userId} is not a member. {@code FOR NO KEY UPDATE}: a change never alters a
     * key, and the weaker lock lets whatever only needs the row to exist go on.
     */
    Optional<Target> lockForChange(Handle h, long conversationId, long seq, long userId) {
        return h.createQuery("SELECT " + prefixed("m.") + ", c.owner_id FROM messages m "
                        + "JOIN memberships ms ON ms.conversation_id = m.conversation_id AND ms.user_id = :u "
                        + "JOIN conversations c ON c.id = m.conversation_id "
                        + "WHERE m.conversation_id = :c AND m.seq = :seq FOR NO KEY UPDATE OF m")
                .bind("c", conversationId)
                .bind("seq", seq)
                .bind("u", userId)
                .map((rs, ctx) -> {
                    long owner = rs.getLong("owner_id");
                    return new Target(MessageStore.message(rs), rs.wasNull() ? null : owner);
                })
                .findOne();
    }

    /**
     * The change counter raised by one, as a CTE ({@code raised}) for the statement that writes the change: one round
     * trip, the counter's row locked from there until the commit.
     */
    private static final String RAISE_COUNTER = "WITH raised AS ("
            + "INSERT INTO conversation_changes AS k (conversation_id, last_change_seq) VALUES (:c, 1) "
            + "ON CONFLICT (conversation_id) DO UPDATE SET last_change_seq = k.last_change_seq + 1 "
            + "RETURNING k.last_change_seq) ";
    private static final String CHANGE_SEQ = "change_seq = (SELECT last_change_seq FROM raised)";

    /** A new body, with the mentions it makes (as a send's, by {@code message_mentions}). */
    Message edit(Handle h, Message message, String body) {
        return h.createQuery(RAISE_COUNTER + "UPDATE messages SET body = :body, edited_at = now(), "
                        + "mentions = message_mentions(conversation_id, :body), " + CHANGE_SEQ
                        + " WHERE id = :id RETURNING " + MessageStore.COLUMNS)
                .bind("c", message.conversationId())
                .bind("body", body)
                .bind("id", message.id())
                .map((rs, ctx) -> MessageStore.message(rs))
                .one();
    }

    /**
     * The tombstone: the body gone from the table, not only hidden; replyTo and the seq stay. Its attachments go too,
     * and with their links the members' access to them: one the uploader does not send again is then an orphan.
     */
    Message tombstone(Handle h, Message message) {
        if (!message.attachments().isEmpty()) {
            h.createUpdate("DELETE FROM message_attachments WHERE message_id = :id").bind("id", message.id()).execute();
        }
        return h.createQuery(RAISE_COUNTER + "UPDATE messages SET body = '', deleted_at = now(), mentions = '{}', "
                        + "reactions = '[]', attachments = '[]', " + CHANGE_SEQ + " WHERE id = :id RETURNING "
                        + MessageStore.COLUMNS)
                .bind("c", message.conversationId())
                .bind("id", message.id())
                .map((rs, ctx) -> MessageStore.message(rs))
                .one();
    }

    Message setReactions(Handle h, Message message, List<Reaction> reactions) {
        return h.createQuery(RAISE_COUNTER + "UPDATE messages SET reactions = :reactions::jsonb, " + CHANGE_SEQ
                        + " WHERE id = :id RETURNING " + MessageStore.COLUMNS)
                .bind("c", message.conversationId())
                .bind("reactions", Reactions.stored(reactions))
                .bind("id", message.id())
                .map((rs, ctx) -> MessageStore.message(rs))
                .one();
    }

    /** Up to {@code limit} messages whose last change is in {@code (after, upTo]}, ascending by changeSeq. */
    List<Message> changedBetween(Handle h, long conversationId, long after, long upTo, int limit) {
        // change_seq > 0 spelled out: with a bound value alone the planner could not use the partial index
        return h.createQuery("SELECT " + MessageStore.COLUMNS + " FROM messages WHERE conversation_id = :c "
                        + "AND change_seq > 0 AND change_seq > :after AND change_seq <= :upTo "
                        + "ORDER BY change_seq LIMIT :limit")
                .bind("c", conversationId)
                .bind("after", after)
                .bind("upTo", upTo)
                .bind("limit", limit)
                .map((rs, ctx) -> MessageStore.message(rs))
                .list();
    }

    private static String prefixed(String alias) {
        return alias + MessageStore.COLUMNS.replace(", ", ", " + alias);
    }
}
