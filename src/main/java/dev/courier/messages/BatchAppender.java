package dev.courier.messages;

import dev.courier.attachments.Attachment;
import dev.courier.db.Database;
import dev.courier.db.UniqueViolation;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Stores a batch of sends, possibly for several conversations, with one statement ({@code append_messages}): check
 * membership, resolve retries of an earlier clientMsgId, claim one block of seqs per conversation and insert every
 * new row. One commit acknowledges the whole batch, and one round trip is all a writer holds its connection for,
 * which is what lets PostgreSQL take many more messages per second than one transaction per message.
 *
 * <p>Seqs stay gapless: the counter and the rows change in the same statement, and a retry is decided before
 * any seq is claimed.
 */
final class BatchAppender implements BatchStore {

    private final Database db;
    private final MessageStore store;
    private final AnnouncementSource announcements;

    /** {@code announcements}: for each batch, how the storing statement tells the other nodes, if at all. */
    BatchAppender(Database db, MessageStore store, AnnouncementSource announcements) {
        this.db = db;
        this.store = store;
        this.announcements = announcements;
    }

    @Override
    public List<Outcome> append(List<PendingSend> batch) {
        MessageAnnouncement announcement = announcements.messageAnnouncement();
        List<MessageStore.Appended> appended;
        try {
            appended = db.withHandle("messages.send", h -> store.append(h, batch, announcement));
        } catch (RuntimeException e) {
            if (!UniqueViolation.causedBy(e)) {
                throw e;
            }
            // A concurrent request (on another node) stored one of our clientMsgIds first and nothing of this batch
            // was kept; that message is committed now, so the second pass finds it as a retry.
            appended = db.withHandle("messages.send", h -> store.append(h, batch, announcement));
        }
        List<Outcome> outcomes = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            outcomes.add(outcome(batch.get(i), appended.get(i)));
        }
        return outcomes;
    }

    private static Outcome outcome(PendingSend send, MessageStore.Appended appended) {
        if (!appended.member()) {
            return new Outcome(send, null, ApiException.notFound("no such conversation"));
        }
        if (appended.message() == null) {
            return new Outcome(send, null, MessageService.noSuchReplyTarget());
        }
        if (appended.created()) {
            return new Outcome(send, new MessageService.Sent(appended.message(), true), null);
        }
        return resolveRetry(send, appended.message());
    }

    /**
     * A clientMsgId seen before: the same request answers with the first message, another one conflicts (another
     * replyTo too: the client would take the first message for an answer to a message it does not answer). A first
     * message edited or deleted since no longer has the body it was stored with, so its body is not compared: the
     * retry learns what became of its message. Attachments are compared too, unless a delete took them away.
     */
    private static Outcome resolveRetry(PendingSend send, Message first) {
        long firstReplyTo = first.replyTo() == null ? 0 : first.replyTo();
        boolean changedSince = first.editedAt() != null || first.deleted();
        if (first.conversationId() != send.conversationId() || firstReplyTo != send.replyTo()
                || !changedSince && !first.body().equals(send.body())
                || !first.deleted() && !ids(first.attachments()).equals(ids(send.attachments()))) {
            return new Outcome(send, null, new ApiException(ErrorCode.CLIENT_MSG_ID_REUSED,
                    "clientMsgId was already used for a different message", "clientMsgId", 0));
        }
        return new Outcome(send, new MessageService.Sent(first, false), null);
    }

    private static List<String> ids(List<Attachment> attachments) {
        return attachments.stream().map(Attachment::id).toList();
    }
}
