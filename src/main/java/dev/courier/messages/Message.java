package dev.courier.messages;

import java.time.Instant;
import java.util.UUID;

/** A stored message as the contract shows it. {@code seq} numbers a conversation's messages 1, 2, 3, ... */
public record Message(long id, long conversationId, long seq, long senderId, UUID clientMsgId, String body,
                      Instant createdAt) {
}
