package dev.courier.export;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.courier.accounts.AccountService;
import dev.courier.conversations.Conversation;
import dev.courier.conversations.ConversationService;
import dev.courier.messages.Message;
import dev.courier.messages.SentMessages;
import dev.courier.web.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /v1/me/export}: one JSON document with the user, their conversations and every message they sent,
 * written as it is read. {@code {"exportedAt", "user", "conversations": [...], "messages": [...]}}, the objects in
 * the API's shapes; messages in conversation order, then seq.
 *
 * <p>Rows are read in pages of {@link #PAGE} by key ({@link SentMessages}), each page in a short database callback of
 * its own, and written to the response before the next is read: the heap holds one page whatever the account's size,
 * and no connection is held while a slow client drains the response. One cursor over the whole export would hold
 * its connection and transaction for as long as the download takes, past the pool's leak-reclaim limit and
 * PostgreSQL's idle-in-transaction timeout for a large account. The price: an export is not one snapshot; a message
 * sent during the export may or may not be in it.
 */
public final class AccountExport {

    static final int PAGE = 1_000;
    private static final int CONVERSATION_PAGE = 100;

    private final AccountService accounts;
    private final ConversationService conversations;
    private final SentMessages messages;

    public AccountExport(AccountService accounts, ConversationService conversations, SentMessages messages) {
        this.accounts = accounts;
        this.conversations = conversations;
        this.messages = messages;
    }

    /** Writes the export of {@code userId} to {@code out}, flushing after each page. */
    public void write(long userId, OutputStream out) throws IOException {
        // the response's stream stays open: the server closes it once the handler returns
        try (JsonGenerator json = Json.mapper().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            json.writeStartObject();
            json.writePOJOField("exportedAt", Instant.now());
            json.writePOJOField("user", accounts.me(userId));
            json.writeArrayFieldStart("conversations");
            String cursor = null;
            do {
                ConversationService.Page page = conversations.list(userId, cursor, CONVERSATION_PAGE);
                for (Conversation conversation : page.conversations()) {
                    json.writePOJO(conversation);
                }
                json.flush();
                cursor = page.next();
            } while (cursor != null);
            json.writeEndArray();
            json.writeArrayFieldStart("messages");
            long afterConversation = 0;
            long afterSeq = 0;
            while (true) {
                List<Message> page = messages.after(userId, afterConversation, afterSeq, PAGE);
                for (Message message : page) {
                    json.writePOJO(message);
                }
                json.flush();
                if (page.size() < PAGE) {
                    break;
                }
                afterConversation = page.getLast().conversationId();
                afterSeq = page.getLast().seq();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }
}
