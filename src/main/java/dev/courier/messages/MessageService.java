package dev.courier.messages;

import dev.courier.attachments.Attachment;
import dev.courier.attachments.SendableAttachments;
import dev.courier.conversations.ConversationStore;
import dev.courier.db.Database;
import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import dev.courier.web.ApiException;
import dev.courier.db.DatabaseBusyException;
import dev.courier.db.DatabaseUnavailableException;
import dev.courier.web.TextRules;
import dev.courier.overload.StandingQueue;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sending, reading history and moving read markers. REST and the socket both call these methods, so both follow
 * the same rules, idempotency and error codes.
 */
public final class MessageService implements AutoCloseable {

    public static final int MAX_BODY_CODE_POINTS = 4_000;

    /** A send's outcome: the stored message, and whether this call stored it (false for a retried send). */
    public record Sent(Message message, boolean created) {
    }

    /** One page of history, ascending by seq; {@code hasMore} looks further in the page's direction. */
    public record History(List<Message> messages, boolean hasMore) {
    }

    /** How long a request waits for its batch: longer than the statement timeout plus one retry. */
    private static final long SEND_WAIT_SECONDS = 15;
    /**
     * A batch's wait for more sends once sends arrive together: 4 ms against a 50 ms latency objective. Against 1 ms
     * at 6,000 msg/s it cut PostgreSQL's CPU per message by a quarter to a third, and, since a larger batch also
     * gathers more frames per socket write, the server's by a tenth and the load generator's by a fifth
     * (bench/results/2026-11-26-linger-coalescing.md).
     */
    private static final Duration WRITER_LINGER = Duration.ofMillis(4);
    /** Sends stored in one statement at most. */
    private static final int MAX_BATCH = 256;
    /**
     * The smallest part of a gathered batch worth a second writer's statement. Each statement has its fixed costs
     * (a round trip, a commit, a socket write per stream for its fan-out): sharing from 64 sends on (parts of 32) cost
     * a tenth more CPU per message at 6,000 msg/s, from 128 on nothing measurable, and at 9,000 msg/s both brought the
     * median second's p99 from 48-75 ms to 32-39 ms (bench/results/2026-12-06-shared-batches.md).
     */
    private static final int MIN_SHARED = 64;

    private final Database db;
    private final MessageStore store = new MessageStore();
    private final ConversationStore conversations;
    private final MessageWriter writer;
    private final EventSink events;
    private final SendableAttachments attachments;

    /**
     * Starts {@code writers} message writers. Each stores its batches with {@link BatchAppender}, whose statement
     * also announces the new messages to the other nodes where {@code announcements} says so; once a batch has
     * committed, the writers' publisher answers its sends and hands its new messages to {@code commitPublisher}, both
     * inside one {@code answerScope}. {@code events} hears the read markers this service moves; {@code attachments}
     * says which attachments a send may carry.
     */
    public MessageService(Database db, ConversationStore conversations, EventSink events, int writers,
                          MeterRegistry meters, AnnouncementSource announcements, CommitPublisher commitPublisher,
                          AnswerScope answerScope, SendableAttachments attachments) {
        this.db = db;
        this.attachments = attachments;
        this.conversations = conversations;
        this.writer = new MessageWriter(new BatchAppender(db, store, announcements), writerLimits(writers),
                commitPublisher, answerScope, new WriterMetrics(meters));
        this.events = events;
    }

    /**
     * 10,000 queued sends per writer, and at most four full batches' worth for one conversation: a conversation's
     * batches are stored one after another, each with its fan-out, so a send queued behind four of them already
     * waits through four of the largest statements and fan-outs there are, and one behind more is better answered
     * {@code overloaded} at once than queued.
     */
    private static MessageWriter.Limits writerLimits(int writers) {
        return new MessageWriter.Limits(writers, 10_000 * writers, 4 * MAX_BATCH, MAX_BATCH, WRITER_LINGER,
                MIN_SHARED, StandingQueue.TARGET, StandingQueue.INTERVAL);
    }

    /**
     * Stores a message, or finds the one stored under this sender's {@code clientMsgId} before. Returns only once
     * the message is committed. {@code replyTo}, when not null, is the seq of the message it answers.
     */
    public Sent send(long senderId, long conversationId, UUID clientMsgId, String body, Long replyTo) {
        return send(senderId, conversationId, clientMsgId, body, replyTo, List.of());
    }

    /** {@link #send(long, long, UUID, String, Long)} with the ids of the attachments the message carries. */
    public Sent send(long senderId, long conversationId, UUID clientMsgId, String body, Long replyTo,
                     List<String> attachmentIds) {
        CompletableFuture<Sent> result = submit(senderId, conversationId, clientMsgId, body, replyTo, attachmentIds);
        try {
            return result.get(SEND_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw failureOf(e.getCause());
        } catch (TimeoutException e) {
            throw failureOf(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseBusyException("interrupted while storing the message");
        }
    }

    /**
     * Queues a send without waiting for it: the future completes on the message writers' publisher once the message
     * is committed, or fails (see {@link #failureOf}); nothing waits for it on a thread of its own. It always
     * completes, so there is no timer per send: every send a writer takes is answered (its batch failed on any error,
     * or handed to the publisher once committed), each batch is bounded by the database's statement timeout, the
     * queues are bounded, and what is still queued fails when the writers stop. An invalid body or replyTo is refused at
     * once, before anything is queued; a replyTo beyond the conversation's messages is refused by the statement that
     * stores the batch, which knows the conversation's last seq.
     */
    public CompletableFuture<Sent> submit(long senderId, long conversationId, UUID clientMsgId, String body,
                                          Long replyTo) {
        return submit(senderId, conversationId, clientMsgId, body, replyTo, List.of());
    }

    /**
     * {@link #submit(long, long, UUID, String, Long)} with the ids of the attachments the message carries, each of
     * which the sender must have uploaded; with any, the body may be empty. Only a send that names attachments asks
     * the database about them before it is queued: every other send queues exactly as before.
     */
    public CompletableFuture<Sent> submit(long senderId, long conversationId, UUID clientMsgId, String body,
                                          Long replyTo, List<String> attachmentIds) {
        if (attachmentIds.isEmpty() || !body.isEmpty()) {
            validateBody(body);
        }
        if (replyTo != null && replyTo < 1) {
            throw noSuchReplyTarget();
        }
        List<Attachment> carried = attachmentIds.isEmpty() ? List.of()
                : attachments.requireSendable(senderId, attachmentIds);
        // Refused as every request that needs the database is while it does not answer. Queued instead, a send would
        // wait behind writers stuck in statements that do not return (a frozen server), and the standing queue
        // would answer "overloaded": retry at once, to a node that is not the trouble.
        String down = db.unreachableReason();
        if (down != null) {
            throw new DatabaseUnavailableException("database unreachable: " + down);
        }
        CompletableFuture<Sent> result = new CompletableFuture<>();
        writer.submit(new PendingSend(senderId, conversationId, clientMsgId, body, replyTo == null ? 0 : replyTo,
                carried, result));
        return result;
    }

    static ApiException noSuchReplyTarget() {
        return ApiException.invalid("replyTo", "replyTo must be the seq of a message of the conversation");
    }

    /** What a failed send answers: its contract error, or {@code overloaded} when it took too long. */
    public static RuntimeException failureOf(Throwable failure) {
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            // The batch may still commit; a retry with the same clientMsgId then finds the message.
            return new DatabaseBusyException("the message was not stored in time");
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new IllegalStateException(cause);
    }

    /** Stops the writers; sends still queued fail with {@code overloaded}. */
    @Override
    public void close() {
        writer.close();
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

    /**
     * Committed messages of a conversation with seq in {@code (afterSeq, upToSeq]}, ascending, for delivery to streams
     * (no caller: the stream routes them to members only).
     */
    public List<Message> committedBetween(long conversationId, long afterSeq, long upToSeq) {
        List<Message> all = new java.util.ArrayList<>();
        long from = afterSeq;
        while (from < upToSeq) {
            long after = from;
            int limit = (int) Math.min(500, upToSeq - from);
            List<Message> page = db.withHandle("stream.catchUp", h -> store.after(h, conversationId, after, limit));
            if (page.isEmpty()) {
                break;
            }
            all.addAll(page);
            from = page.getLast().seq();
        }
        return all;
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

    private static ApiException notFound() {
        return ApiException.notFound("no such conversation");
    }
}
