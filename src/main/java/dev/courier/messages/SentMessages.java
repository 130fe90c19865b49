package dev.courier.messages;

import dev.courier.db.Database;
import java.util.List;

/**
 * A user's own messages, in pages in (conversation, seq) order, for the export of an account: each page is read in a
 * short callback of its own, so a user with a million messages holds neither a million messages of heap nor a
 * connection for the length of a download.
 */
public final class SentMessages {

    private final Database db;

    public SentMessages(Database db) {
        this.db = db;
    }

    /** Up to {@code limit} messages of the sender after position ({@code afterConversationId}, {@code afterSeq}). */
    public List<Message> after(long senderId, long afterConversationId, long afterSeq, int limit) {
        return db.withHandle("export.messages", h -> h.createQuery("SELECT " + MessageStore.COLUMNS + " FROM messages "
                        + "WHERE sender_id = :u AND (sender_id, conversation_id, seq) > (:u, :c, :s) "
                        + "ORDER BY sender_id, conversation_id, seq LIMIT :n")
                .bind("u", senderId)
                .bind("c", afterConversationId)
                .bind("s", afterSeq)
                .bind("n", limit)
                .map((rs, ctx) -> MessageStore.message(rs))
                .list());
    }
}
