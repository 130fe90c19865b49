package dev.courier.events;

import dev.courier.messages.Message;
import java.util.List;

/**
 * Something that happened and committed, which connected clients may need to hear about. Published after the
 * transaction that caused it has committed, never before.
 */
public sealed interface DomainEvent {

    /** A message was durably stored. */
    record MessageStored(Message message) implements DomainEvent {
    }

    /**
     * A stored message was edited, deleted or its reactions changed: {@code message} as it is after the change, whose
     * {@code changeSeq} numbers the change in its conversation.
     */
    record MessageChanged(Message message) implements DomainEvent {
    }

    /** A member's read marker moved forward. */
    record ReadMarkerMoved(long conversationId, long userId, long seq) implements DomainEvent {
    }

    /**
     * A conversation was created or its members changed. {@code affectedUserIds} lists everyone who should be told:
     * current members and anyone just removed.
     */
    record ConversationChanged(long conversationId, List<Long> affectedUserIds) implements DomainEvent {
    }

    /** A session token was revoked; streams opened with it must close. */
    record SessionRevoked(long userId, byte[] tokenHash) implements DomainEvent {
    }
}
