package dev.courier.messages;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** SQL for {@code messages} and the per-conversation counter that makes {@code seq} gapless. */
final class MessageStore {

    private static final String COLUMNS = "id, conversation_id, seq, sender_id, client_msg_id, body, created_at";

    Optional<Message> bySenderAndClientMsgId(Handle h, long senderId, UUID clientMsgId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM messages WHERE sender_id = :s AND client_msg_id = :c")
                .bind("s", senderId)
                .bind("c", clientMsgId)
                .map((rs, ctx) -> message(rs))
                .findOne();
    }

    /**
     * Takes the conversation's next seq. The row lock this takes serialises writers of one conversation until
     * commit; a rollback undoes the increment together with the insert, which is what keeps seq gapless.
     */
    long claimNextSeq(Handle h, long conversationId) {
        return h.createQuery("UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = now() "
                        + "WHERE id = :id RETURNING last_seq")
                .bind("id", conversationId)
                .mapTo(Long.class)
                .one();
    }

    /** Inserts the message, or returns empty when this sender's clientMsgId was stored meanwhile. */
    Optional<Message> insert(Handle h, long conversationId, long seq, long senderId, UUID clientMsgId, String body) {
        return h.createQuery("INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, body) "
                        + "VALUES (:conversationId, :seq, :senderId, :clientMsgId, :body) "
                        + "ON CONFLICT (sender_id, client_msg_id) DO NOTHING RETURNING " + COLUMNS)
                .bind("conversationId", conversationId)
                .bind("seq", seq)
                .bind("senderId", senderId)
                .bind("clientMsgId", clientMsgId)
                .bind("body", body)
                .map((rs, ctx) -> message(rs))
                .findOne();
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

    OptionalLong lastSeqForMember(Handle h, long conversationId, long userId) {
        return h.createQuery("SELECT c.last_seq FROM conversations c JOIN memberships m ON m.conversation_id = c.id "
                        + "WHERE c.id = :c AND m.user_id = :u")
                .bind("c", conversationId)
                .bind("u", userId)
                .mapTo(Long.class)
                .findOne()
                .map(OptionalLong::of)
                .orElse(OptionalLong.empty());
    }

    private static Message message(ResultSet rs) throws SQLException {
        return new Message(rs.getLong("id"), rs.getLong("conversation_id"), rs.getLong("seq"), rs.getLong("sender_id"),
                rs.getObject("client_msg_id", UUID.class), rs.getString("body"),
                rs.getTimestamp("created_at").toInstant());
    }
}
