package dev.courier.attachments;

import java.util.List;

/**
 * What a send asks before it is queued: whether the ids it names are attachments its sender may send, and what they
 * are. {@link AttachmentService} answers from the database; a send without attachments never asks.
 */
public interface SendableAttachments {

    /** At most this many attachments per message. */
    int MAX_PER_MESSAGE = 10;

    /**
     * The attachments named by {@code ids}, in that order, when each is one {@code senderId} uploaded and may still
     * send; otherwise {@code 400 validation_failed} with {@code field: attachments}.
     */
    List<Attachment> requireSendable(long senderId, List<String> ids);
}
