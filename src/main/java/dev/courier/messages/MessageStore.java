package dev.courier.messages;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** SQL for {@code messages} and the per-conversation counter that makes {@code seq} gapless. */
final class MessageStore {

    private static final String COLUMNS = "id, conversation_id, seq, sender_id, client_msg_id, body, created_at";

    /** A member of a conversation. */
    record Membership(long conversationId, long userId) {
    }

    /** A message row about to be inserted, its seq already claimed. */
    record NewRow(long conversationId, long seq, long senderId, UUID clientMsgId, String body) {
    }

    /** Which (conversation, sender) pairs of the batch are memberships. */
    Set<Membership> memberships(Handle h, List<PendingSend> batch) {
        return new HashSet<>(h.createQuery("""
                        SELECT DISTINCT m.conversation_id, m.user_id FROM memberships m
                          JOIN unnest(:conversations::bigint[], :users::bigint[]) AS p(c, u)
                            ON m.conversation_id = p.c AND m.user_id = p.u""")
                .bindArray("conversations", Long.class, batch.stream().map(PendingSend::conversationId).toList())
                .bindArray("users", Long.class, batch.stream().map(PendingSend::senderId).toList())
                .map((rs, ctx) -> new Membership(rs.getLong(1), rs.getLong(2)))
                .list());
    }

    /** Messages already stored under the batch's (sender, clientMsgId) keys. */
    Map<PendingSend.Key, Message> byKeys(Handle h, List<PendingSend> batch) {
        Map<PendingSend.Key, Message> found = new HashMap<>();
        h.createQuery("SELECT " + prefixed("m") + " FROM messages m "
                        + "JOIN unnest(:senders::bigint[], :clientMsgIds::uuid[]) AS p(s, c) "
                        + "ON m.sender_id = p.s AND m.client_msg_id = p.c")
                .bindArray("senders", Long.class, batch.stream().map(PendingSend::senderId).toList())
                .bindArray("clientMsgIds", UUID.class, batch.stream().map(PendingSend::clientMsgId).toList())
                .map((rs, ctx) -> message(rs))
                .forEach(m -> found.put(new PendingSend.Key(m.senderId(), m.clientMsgId()), m));
        return found;
    }

    /**
     * Claims {@code n} consecutive seqs for each conversation and returns each one's new {@code last_seq}; the
     * claimed block is {@code last_seq - n + 1 .. last_seq}. Rows are locked in id order first, so two batches
     * (from two nodes) that share conversations queue instead of deadlocking.
     */
    Map<Long, Long> claimSeqBlocks(Handle h, Map<Long, Integer> counts) {
        List<Long> ids = List.copyOf(counts.keySet());
        h.createQuery("SELECT id FROM conversations WHERE id = ANY(:ids::bigint[]) ORDER BY id FOR UPDATE")
                .bindArray("ids", Long.class, ids)
                .mapTo(Long.class)
                .list();
        Map<Long, Long> lastSeqs = new HashMap<>();
        h.createQuery("""
                        UPDATE conversations c SET last_seq = c.last_seq + v.n, last_activity_at = now()
                          FROM unnest(:ids::bigint[], :counts::bigint[]) AS v(id, n)
                         WHERE c.id = v.id
                        RETURNING c.id, c.last_seq""")
                .bindArray("ids", Long.class, ids)
                .bindArray("counts", Long.class, ids.stream().map(id -> (long) counts.get(id)).toList())
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getLong(2)))
                .forEach(e -> lastSeqs.put(e.getKey(), e.getValue()));
        return lastSeqs;
    }

    /**
     * Inserts every row in one statement. A row whose (sender, clientMsgId) was committed meanwhile by another
     * transaction is skipped, so the result may hold fewer rows than given: the caller must then roll back.
     */
    Map<PendingSend.Key, Message> insertAll(Handle h, List<NewRow> rows) {
        Map<PendingSend.Key, Message> inserted = new HashMap<>();
        h.createQuery("""
                        INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, body)
                        SELECT * FROM unnest(:conversations::bigint[], :seqs::bigint[], :senders::bigint[],
                                             :clientMsgIds::uuid[], :bodies::text[])
                        ON CONFLICT (sender_id, client_msg_id) DO NOTHING
                        RETURNING\s""" + COLUMNS)
                .bindArray("conversations", Long.class, rows.stream().map(NewRow::conversationId).toList())
                .bindArray("seqs", Long.class, rows.stream().map(NewRow::seq).toList())
                .bindArray("senders", Long.class, rows.stream().map(NewRow::senderId).toList())
                .bindArray("clientMsgIds", UUID.class, rows.stream().map(NewRow::clientMsgId).toList())
                .bindArray("bodies", String.class, rows.stream().map(NewRow::body).toList())
                .map((rs, ctx) -> message(rs))
                .forEach(m -> inserted.put(new PendingSend.Key(m.senderId(), m.clientMsgId()), m));
        return inserted;
    }

    private static String prefixed(String alias) {
        return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
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
