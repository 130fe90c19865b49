package dev.courier.messages;

import dev.courier.attachments.Attachment;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A stored message as the contract shows it. {@code seq} numbers a conversation's messages 1, 2, 3, ...;
 * {@code changeSeq} is the conversation's change counter at the message's last edit, delete or reaction change (0 for
 * a message never changed). A deleted message stays at its seq as a tombstone: {@code body} empty, {@code deletedAt}
 * set, no mentions and no reactions, {@code replyTo} kept.
 *
 * @param replyTo   the seq of the message this one answers, in the same conversation, or null
 * @param mentions  ids of the members the body names with {@code @username}, in the order first named
 * @param reactions each emoji with the users who reacted with it, in the order each emoji was first used
 * @param attachments the files sent with it, in the order sent; emptied by a delete
 */
public record Message(long id, long conversationId, long seq, long senderId, UUID clientMsgId, String body,
                      Instant createdAt, Instant editedAt, Instant deletedAt, Long replyTo, List<Long> mentions,
                      List<Reaction> reactions, long changeSeq, List<Attachment> attachments) {

    /** Absent lists are empty: the bus leaves them out of a payload when they are (bus.BusCodec). */
    public Message {
        mentions = mentions == null ? List.of() : List.copyOf(mentions);
        reactions = reactions == null ? List.of() : List.copyOf(reactions);
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
    }

    /** A message without attachments. */
    public Message(long id, long conversationId, long seq, long senderId, UUID clientMsgId, String body,
                   Instant createdAt, Instant editedAt, Instant deletedAt, Long replyTo, List<Long> mentions,
                   List<Reaction> reactions, long changeSeq) {
        this(id, conversationId, seq, senderId, clientMsgId, body, createdAt, editedAt, deletedAt, replyTo, mentions,
                reactions, changeSeq, List.of());
    }

    /** A message as a plain send stores it: no reply, no mention, never changed. */
    public Message(long id, long conversationId, long seq, long senderId, UUID clientMsgId, String body,
                   Instant createdAt) {
        this(id, conversationId, seq, senderId, clientMsgId, body, createdAt, null, null, null, List.of(), List.of(),
                0, List.of());
    }

    public boolean deleted() {
        return deletedAt != null;
    }
}
