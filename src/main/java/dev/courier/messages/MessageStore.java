package dev.courier.messages;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** SQL for {@code messages} and the per-conversation counter that makes {@code seq} gapless. */
final class MessageStore {

    private static final String COLUMNS = "id, conversation_id, seq, sender_id, client_msg_id, body, created_at";

    /** What the database made of the i-th send of a batch (see {@code append_messages} in the migrations). */
    record Appended(boolean member, boolean created, Message message) {
    }

    /**
     * Stores a batch in one statement: membership checks, retried clientMsgIds, one block of seqs per
     * conversation and every new row. Returns one result per send, in the batch's order.
     */
    List<Appended> append(Handle h, List<PendingSend> batch) {
        return h.createQuery("SELECT * FROM append_messages(:senders::bigint[], :conversations::bigint[], "
                        + ":clientMsgIds::uuid[], :bodies::text[])")
                .bindArray("senders", Long.class, batch.stream().map(PendingSend::senderId).toList())
                .bindArray("conversations", Long.class, batch.stream().map(PendingSend::conversationId).toList())
                .bindArray("clientMsgIds", UUID.class, batch.stream().map(PendingSend::clientMsgId).toList())
                .bindArray("bodies", String.class, batch.stream().map(PendingSend::body).toList())
                .map((rs, ctx) -> new Appended(rs.getBoolean("member"), rs.getBoolean("created"),
                        rs.getObject("id") == null ? null : message(rs)))
                .list();
    }

    /** Up to {@code limit} messages with seq above {@code after}, ascending. */
    List<Message> after(Handle h, long conversationId, long after, int limit) {
        return h.createQuery("SELECT " + COLUMNS + " FROM messages WHERE conversation_id = :c AND seq > :after "
                        + "ORDER BY seq LIMIT :limit")
                .bind("c", conversationId)
                .bind("after", after)
                .bind("limit", limit)
                .map((rs, ctx) -> message(rs))
                .list();
    }

    /** Up to {@code limit} messages with seq below {@code before}, newest first. */
    List<Message> before(Handle h, long conversationId, long before, int limit) {
        return h.createQuery("SELECT " + COLUMNS + " FROM messages WHERE conversation_id = :c AND seq < :before "
                        + "ORDER BY seq DESC LIMIT :limit")
                .bind("c", conversationId)
                .bind("before", before)
                .bind("limit", limit)
                .map((rs, ctx) -> message(rs))
                .list();
    }

    /** The conversation's last seq and the caller's read marker, locking the marker; empty for a non-member. */
    Optional<long[]> lockReadMarker(Handle h, long conversationId, long userId) {
        return h.createQuery("SELECT c.last_seq, m.read_seq FROM memberships m "
                        + "JOIN conversations c ON c.id = m.conversation_id "
                        + "WHERE m.conversation_id = :c AND m.user_id = :u FOR UPDATE OF m")
                .bind("c", conversationId)
                .bind("u", userId)
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
                .findOne();
    }

    void moveReadMarker(Handle h, long conversationId, long userId, long seq) {
        h.createUpdate("UPDATE memberships SET read_seq = :seq WHERE conversation_id = :c AND user_id = :u")
                .bind("seq", seq)
                .bind("c", conversationId)
                .bind("u", userId)
                .execute();
    }

    private static Message message(ResultSet rs) throws SQLException {
        return new Message(rs.getLong("id"), rs.getLong("conversation_id"), rs.getLong("seq"), rs.getLong("sender_id"),
                rs.getObject("client_msg_id", UUID.class), rs.getString("body"),
                rs.getTimestamp("created_at").toInstant());
    }
}
