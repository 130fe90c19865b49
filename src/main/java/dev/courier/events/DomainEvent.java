package dev.courier.events;

import dev.courier.messages.Message;
import java.util.List;
import java.util.UUID;

/**
 * Something that happened and committed, which connected clients may need to hear about. Published after the
 * transaction that caused it has committed, never before; {@link Typing}, which nothing stores, is the one event
 * without a transaction.
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

    /**
     * Every session of a user but the one of {@code keptTokenHash} (every one when it is null) was revoked, or the user
     * was deactivated or deleted: the user's other streams must close, and every node's session cache forget them.
     */
    record UserSessionsRevoked(long userId, byte[] keptTokenHash) implements DomainEvent {
    }

    /** A member is typing in a conversation. Never stored: a receiver that misses it has missed nothing lasting. */
    record Typing(long conversationId, long userId) implements DomainEvent {
    }

    /**
     * These users came online or went offline. The change is committed in {@code user_presence}, which receivers read
     * for the current state: a change that arrives late or twice then still shows what is true now.
     */
    record PresenceChanged(List<Long> userIds) implements DomainEvent {

        /** At most this many users per event, so that one fits a NOTIFY payload (8,000 bytes) with room to spare. */
        public static final int MAX_USERS = 256;

        public PresenceChanged {
            if (userIds.isEmpty() || userIds.size() > MAX_USERS) {
                throw new IllegalArgumentException("a presence change names 1 to " + MAX_USERS + " users");
            }
            userIds = List.copyOf(userIds);
        }
    }

    /**
     * An audit asks every node to say that it heard this ({@code courier audit}'s bus round trip). Nothing is stored
     * before it; each receiver records its receipt, so the audit sees which nodes the bus reached and when.
     */
    record BusProbe(UUID probeId) implements DomainEvent {
    }
}
