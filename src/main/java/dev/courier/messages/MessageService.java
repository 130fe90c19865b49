package dev.courier.messages;

import dev.courier.conversations.ConversationStore;
import dev.courier.db.Database;
import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import dev.courier.web.TextRules;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Sending, reading history and moving read markers. REST and the socket both call these methods, so both follow
 * the same rules, idempotency and error codes.
 */
public final class MessageService {

    public static final int MAX_BODY_CODE_POINTS = 4_000;

    /** A send's outcome: the stored message, and whether this call stored it (false for a retried send). */
    public record Sent(Message message, boolean created) {
    }

    /** One page of history, ascending by seq; {@code hasMore} looks further in the page's direction. */
    public record History(List<Message> messages, boolean hasMore) {
    }

    /** Raised inside the transaction when a concurrent retry stored the same clientMsgId first. */
    private static final class ConcurrentRetry extends RuntimeException {
        ConcurrentRetry() {
            super(null, null, false, false);
        }
    }

    private final Database db;
    private final MessageStore store = new MessageStore();
    private final ConversationStore conversations;
    private final EventSink events;

    public MessageService(Database db, ConversationStore conversations, EventSink events) {
        this.db = db;
        this.conversations = conversations;
        this.events = events;
    }

    public Sent send(long senderId, long conversationId, UUID clientMsgId, String body) {
        validateBody(body);
        Sent sent;
        try {
            sent = db.inTransaction("messages.send", h -> {
                if (!conversations.isMember(h, conversationId, senderId)) {
                    throw notFound();
                }
                // Decide about a retry before taking a seq, so a duplicate never consumes one.
                Optional<Message> first = store.bySenderAndClientMsgId(h, senderId, clientMsgId);
                if (first.isPresent()) {
                    return new Sent(sameRequestOrConflict(first.get(), conversationId, body), false);
                }
                long seq = store.claimNextSeq(h, conversationId);
                Message stored = store.insert(h, conversationId, seq, senderId, clientMsgId, body)
                        .orElseThrow(ConcurrentRetry::new);
                return new Sent(stored, true);
            });
        } catch (ConcurrentRetry e) {
            // Another request with this clientMsgId committed while we waited; our seq claim was rolled back.
            Message first = db.withHandle("messages.send.retry",
                    h -> store.bySenderAndClientMsgId(h, senderId, clientMsgId)).orElseThrow();
            sent = new Sent(sameRequestOrConflict(first, conversationId, body), false);
        }
        if (sent.created()) {
            events.publish(new DomainEvent.MessageStored(sent.message()));
        }
        return sent;
    }

    public History history(long callerId, long conversationId, Long after, Long before, int limit) {
        if (after != null && before != null) {
            throw ApiException.invalid("before", "give either after or before, not both");
        }
        return db.withHandle("messages.history", h -> {
            if (!conversations.isMember(h, conversationId, callerId)) {
                throw notFound();
            }
            if (before != null) {
                List<Message> page = store.before(h, conversationId, before, limit + 1);
                boolean more = page.size() > limit;
                List<Message> ascending = new java.util.ArrayList<>(more ? page.subList(0, limit) : page);
                Collections.reverse(ascending);
                return new History(ascending, more);
            }
            List<Message> page = store.after(h, conversationId, after == null ? 0 : after, limit + 1);
            boolean more = page.size() > limit;
            return new History(more ? page.subList(0, limit) : page, more);
        });
    }

    public void markRead(long callerId, long conversationId, long seq) {
        if (seq < 0) {
            throw ApiException.invalid("seq", "seq must not be negative");
        }
        boolean moved = db.inTransaction("messages.markRead", h -> {
            long[] marker = store.lockReadMarker(h, conversationId, callerId).orElseThrow(MessageService::notFound);
            long lastSeq = marker[0];
            long readSeq = marker[1];
            if (seq > lastSeq) {
                throw ApiException.invalid("seq", "seq is beyond the conversation's last message (" + lastSeq + ")");
            }
            if (seq <= readSeq) {
                return false;
            }
            store.moveReadMarker(h, conversationId, callerId, seq);
            return true;
        });
        if (moved) {
            events.publish(new DomainEvent.ReadMarkerMoved(conversationId, callerId, seq));
        }
    }

    static void validateBody(String body) {
        TextRules.requireLength("body", body, 1, MAX_BODY_CODE_POINTS);
        if (TextRules.isBlank(body)) {
            throw ApiException.invalid("body", "body must not be only white space");
        }
    }

    private static Message sameRequestOrConflict(Message first, long conversationId, String body) {
        if (first.conversationId() != conversationId || !first.body().equals(body)) {
            throw new ApiException(ErrorCode.CLIENT_MSG_ID_REUSED,
                    "clientMsgId was already used for a different message", "clientMsgId", 0);
        }
        return first;
    }

    private static ApiException notFound() {
        return ApiException.notFound("no such conversation");
    }
}
