package dev.courier.messages;

import dev.courier.attachments.Attachment;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One validated send waiting for its batch to commit. The future completes only after the commit.
 *
 * @param replyTo        the seq the message answers, or 0 for none
 * @param attachments    the attachments it carries, checked as the sender's own; empty for most
 * @param createdAtNanos when the send was made ({@link System#nanoTime()}), from which its wait for a writer counts
 */
record PendingSend(long senderId, long conversationId, UUID clientMsgId, String body, long replyTo,
                   List<Attachment> attachments, CompletableFuture<MessageService.Sent> result, long createdAtNanos) {

    /** A send made now. */
    PendingSend(long senderId, long conversationId, UUID clientMsgId, String body, long replyTo,
                List<Attachment> attachments, CompletableFuture<MessageService.Sent> result) {
        this(senderId, conversationId, clientMsgId, body, replyTo, attachments, result, System.nanoTime());
    }

    /** A send made now, without attachments. */
    PendingSend(long senderId, long conversationId, UUID clientMsgId, String body, long replyTo,
                CompletableFuture<MessageService.Sent> result) {
        this(senderId, conversationId, clientMsgId, body, replyTo, List.of(), result, System.nanoTime());
    }
}
