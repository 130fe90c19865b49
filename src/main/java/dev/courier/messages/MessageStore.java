package dev.courier.messages;

import dev.courier.attachments.Attachment;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;

/** SQL for {@code messages} and the per-conversation counter that makes {@code seq} gapless. */
final class MessageStore {

    /** The columns {@link #message} reads. */
    static final String COLUMNS = "id, conversation_id, seq, sender_id, client_msg_id, body, created_at, edited_at, "
            + "deleted_at, reply_to, mentions, reactions, change_seq, attachments";

    /** What the database made of the i-th send of a batch (see {@code append_messages} in R__append_messages.sql). */
    record Appended(boolean member, boolean created, Message message) {
    }

    /**
     * Stores a batch in one statement: membership checks, retried clientMsgIds, replies, one block of seqs per
     * conversation and every new row with its mentions, and, unless {@code announcement} is null, the notifications announcing the new
     * messages (one per 7,900 bytes of them).
     * Returns one result per send, in the batch's order.
     *
     * <p>The columns are bound as plain Java arrays handed to the driver as they are ({@link #array}).
     * {@code MessageBatchBindingBenchmark} compares this with the two ways Jdbi offers.
     */
    List<Appended> append(Handle h, List<PendingSend> batch, MessageAnnouncement announcement) {
        int size = batch.size();
        long[] senders = new long[size];
        long[] conversations = new long[size];
        UUID[] clientMsgIds = new UUID[size];
        String[] bodies = new String[size];
        long[] replyTos = new long[size];
        // null unless a send of the batch carries attachments: a batch without any binds nothing more
        String[] attachments = null;
        for (int i = 0; i < size; i++) {
            PendingSend send = batch.get(i);
            senders[i] = send.senderId();
            conversations[i] = send.conversationId();
            clientMsgIds[i] = send.clientMsgId();
            bodies[i] = send.body();
            replyTos[i] = send.replyTo();
            if (!send.attachments().isEmpty()) {
                if (attachments == null) {
                    attachments = new String[size];
                }
                attachments[i] = Attachment.stored(send.attachments());
            }
        }
        return h.createQuery("SELECT * FROM append_messages(:senders::bigint[], :conversations::bigint[], "
                        + ":clientMsgIds::uuid[], :bodies::text[], :replyTos::bigint[], :attachments::text[], "
                        + ":announceTo, :origin)")
                .bind("senders", array(senders))
                .bind("conversations", array(conversations))
                .bind("clientMsgIds", array(clientMsgIds))
                .bind("bodies", array(bodies))
                .bind("replyTos", array(replyTos))
                .bind("attachments", attachments == null ? nullTextArray() : array(attachments))
                .bind("announceTo", announcement == null ? null : announcement.channel())
                .bind("origin", announcement == null ? null : announcement.origin())
                .map((rs, ctx) -> appended(rs))
                .list();
    }

    /**
     * A Java array as a statement parameter, passed to pgjdbc's {@code setObject}, which encodes {@code long[]} in
     * PostgreSQL's binary format. Jdbi's own array binding (by value or {@code bindArray}) looks the element type up
     * among every registered array type on each bind and builds the array through {@code createArrayOf}'s text
     * form: in profiles of a busy server that was four tenths of a message writer's CPU.
     */
    private static Argument array(Object javaArray) {
        return (position, statement, ctx) -> statement.setObject(position, javaArray);
    }

    private static Argument nullTextArray() {
        return (position, statement, ctx) -> statement.setNull(position, java.sql.Types.ARRAY, "_text");
    }

    /** One row of {@code append_messages}, whose message columns are {@link #COLUMNS}. */
    static Appended appended(ResultSet rs) throws SQLException {
        return new Appended(rs.getBoolean("member"), rs.getBoolean("created"),
                rs.getObject("id") == null ? null : message(rs));
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

    /** A row of {@link #COLUMNS}. */
    static Message message(ResultSet rs) throws SQLException {
        long replyTo = rs.getLong("reply_to");
        Long reply = rs.wasNull() ? null : replyTo;
        return new Message(rs.getLong("id"), rs.getLong("conversation_id"), rs.getLong("seq"), rs.getLong("sender_id"),
                rs.getObject("client_msg_id", UUID.class), rs.getString("body"),
                rs.getTimestamp("created_at").toInstant(), instant(rs.getTimestamp("edited_at")),
                instant(rs.getTimestamp("deleted_at")), reply, ids(rs.getArray("mentions")),
                Reactions.parse(rs.getString("reactions")), rs.getLong("change_seq"),
                Attachment.parse(rs.getString("attachments")));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static List<Long> ids(Array array) throws SQLException {
        Long[] ids = (Long[]) array.getArray();
        return ids.length == 0 ? List.of() : List.of(ids);
    }
}
