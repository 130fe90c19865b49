package dev.courier.messages;

import dev.courier.conversations.ConversationStore;
import dev.courier.db.Database;
import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Editing, deleting and reacting to stored messages, and reading the changes back. Each change locks its message,
 * raises the conversation's change counter by one and writes the message in one transaction, so the counter stays
 * gapless like seq; once committed, the changed message is published as a {@link DomainEvent.MessageChanged}. A
 * request that changes nothing (a reaction given twice, a message deleted again) raises nothing and tells nobody.
 *
 * <p>Who may: only the sender edits; the sender, or a group's owner, deletes; any member reacts; to a non-member, the
 * message does not exist.
 */
public final class MessageChanges {

    /** What a request asks of a message. */
    private sealed interface Change {
        record Edit(String body) implements Change {
        }

        record Delete() implements Change {
        }

        record React(String emoji) implements Change {
        }

        record Unreact(String emoji) implements Change {
        }
    }

    private final Database db;
    private final ConversationStore conversations;
    private final ChangeStore store = new ChangeStore();
    private final ConversationTurns turns;
    private final EventSink events;

    /** {@code longestWait}: how long a change may wait for its conversation's turn before it is refused. */
    public MessageChanges(Database db, ConversationStore conversations, EventSink events, Duration longestWait) {
        this.db = db;
        this.conversations = conversations;
        this.events = events;
        this.turns = new ConversationTurns(longestWait);
    }

    /** A new body for the caller's own message, with the same rules as a send; answers the message as edited. */
    public Message edit(long callerId, long conversationId, long seq, String body) {
        MessageService.validateBody(body);
        return change("messages.edit", callerId, conversationId, seq, new Change.Edit(body));
    }

    /** Deletes the message, leaving its tombstone at its seq; deleting it again changes nothing. */
    public void delete(long callerId, long conversationId, long seq) {
        change("messages.delete", callerId, conversationId, seq, new Change.Delete());
    }

    /** Adds the caller's reaction; given twice, it stays once. */
    public void react(long callerId, long conversationId, long seq, String emoji) {
        change("messages.react", callerId, conversationId, seq, new Change.React(Reactions.requireValidEmoji(emoji)));
    }

    /** Takes back the caller's reaction; one never given changes nothing. */
    public void unreact(long callerId, long conversationId, long seq, String emoji) {
        change("messages.unreact", callerId, conversationId, seq,
                new Change.Unreact(Reactions.requireValidEmoji(emoji)));
    }

    /** The caller's page of the messages changed after {@code afterChangeSeq}, ascending by changeSeq. */
    public MessageService.History changedAfter(long callerId, long conversationId, long afterChangeSeq, int limit) {
        return db.withHandle("messages.changes", h -> {
            if (!conversations.isMember(h, conversationId, callerId)) {
                throw ApiException.notFound("no such conversation");
            }
            List<Message> page = store.changedBetween(h, conversationId, afterChangeSeq, Long.MAX_VALUE, limit + 1);
            boolean more = page.size() > limit;
            return new MessageService.History(more ? page.subList(0, limit) : page, more);
        });
    }

    /**
     * The messages of a conversation whose last change is in {@code (afterChangeSeq, upToChangeSeq]}, ascending, for
     * delivery to streams (no caller: the stream routes them to members only). A message changed again after
     * {@code upToChangeSeq} is not among them: its later change brings it.
     */
    public List<Message> changedBetween(long conversationId, long afterChangeSeq, long upToChangeSeq) {
        List<Message> all = new ArrayList<>();
        long from = afterChangeSeq;
        while (true) {
            long after = from;
            List<Message> page = db.withHandle("stream.catchUpChanges",
                    h -> store.changedBetween(h, conversationId, after, upToChangeSeq, 500));
            all.addAll(page);
            if (page.size() < 500) {
                return all;
            }
            from = page.getLast().changeSeq();
        }
    }

    /** Runs one change in its conversation's turn; returns the changed message, or null when nothing changed. */
    private Message change(String callSite, long callerId, long conversationId, long seq, Change change) {
        Message changed = turns.inTurn(conversationId, () -> db.inTransaction(callSite, h -> {
            ChangeStore.Target target = store.lockForChange(h, conversationId, seq, callerId)
                    .orElseThrow(() -> ApiException.notFound("no such message"));
            Message message = target.message();
            return switch (change) {
                case Change.Edit edit -> {
                    if (message.senderId() != callerId) {
                        throw ApiException.of(ErrorCode.FORBIDDEN, "only its sender may edit a message");
                    }
                    requireNotDeleted(message);
                    yield store.edit(h, message, edit.body());
                }
                case Change.Delete ignored -> {
                    boolean owner = target.ownerId() != null && target.ownerId() == callerId;
                    if (message.senderId() != callerId && !owner) {
                        throw ApiException.of(ErrorCode.FORBIDDEN,
                                "only its sender, or the group's owner, may delete a message");
                    }
                    yield message.deleted() ? null : store.tombstone(h, message);
                }
                case Change.React react -> {
                    requireNotDeleted(message);
                    List<Reaction> next = Reactions.added(message.reactions(), react.emoji(), callerId);
                    yield next == null ? null : store.setReactions(h, message, next);
                }
                case Change.Unreact unreact -> {
                    List<Reaction> next = Reactions.removed(message.reactions(), unreact.emoji(), callerId);
                    yield next == null ? null : store.setReactions(h, message, next);
                }
            };
        }));
        if (changed != null) {
            events.publish(new DomainEvent.MessageChanged(changed));
        }
        return changed;
    }

    private static void requireNotDeleted(Message message) {
        if (message.deleted()) {
            throw ApiException.of(ErrorCode.MESSAGE_DELETED, "the message was deleted");
        }
    }
}
