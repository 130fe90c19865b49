package dev.courier.stream;

import dev.courier.db.Database;
import dev.courier.db.OperationScope;
import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import dev.courier.messages.MessageService;
import dev.courier.ratelimit.RateLimiter;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import dev.courier.web.ErrorResponses;
import java.util.UUID;

/**
 * Answers what a client sends on its stream by calling the same service methods as REST, so a send over the socket
 * has REST's validation, idempotency and error codes; failures become {@code error} frames through the same
 * mapping as HTTP errors.
 *
 * <p>Sends are answered when their batch commits, without a thread waiting (up to
 * {@link StreamConnection#MAX_SENDS_IN_FLIGHT} per connection). Every other answer waits for the answers to the
 * sends before it, so a client can use a {@code ping} to know that everything it sent before has been answered.
 */
final class InboundFrames {

    private final MessageService messages;
    private final Database database;
    private final RateLimiter rateLimiter;
    private final StreamHub hub;
    private final EventSink events;
    private final StreamMetrics metrics;

    InboundFrames(MessageService messages, Database database, RateLimiter rateLimiter, StreamHub hub, EventSink events,
                  StreamMetrics metrics) {
        this.messages = messages;
        this.database = database;
        this.rateLimiter = rateLimiter;
        this.hub = hub;
        this.events = events;
        this.metrics = metrics;
    }

    void handle(StreamConnection connection, String text) {
        String clientMsgId = null;
        try {
            ClientFrame frame = ClientFrame.decode(text);
            if (frame instanceof ClientFrame.Send send) {
                clientMsgId = send.clientMsgId().toString(); // so that a refusal, for the rate limit too, names it
            }
            frame.spends().ifPresent(bucket -> rateLimiter.checkUser(bucket, connection.userId()));
            switch (frame) {
                case ClientFrame.Send send -> submit(connection, send, clientMsgId);
                case ClientFrame.Read read -> {
                    connection.awaitAnswersToSends();
                    try (OperationScope scope = database.openScope("ws.read")) {
                        messages.markRead(connection.userId(), read.conversationId(), read.seq());
                    }
                }
                case ClientFrame.Typing typing -> relayTyping(connection, typing);
                case ClientFrame.Ping ping -> {
                    connection.awaitAnswersToSends();
                    connection.send(new ServerFrame.Pong());
                }
            }
        } catch (RuntimeException failure) {
            if (clientMsgId == null) {
                clientMsgId = ClientFrame.clientMsgIdOf(text).orElse(null);
            }
            connection.awaitAnswersToSends();
            answerFailure(connection, clientMsgId, failure);
        }
    }

    /**
     * Hands a typing frame to the other members' connections on every node, through the event sink and never the
     * database. One more for the same conversation within 3 s is dropped before anything else is done for it. A
     * non-member is answered {@code not_found}, as for every frame about a conversation it may not know: the check
     * reads the members this node keeps for routing, or one row when it keeps none, a query like the rate-limit
     * check that every send and read frame costs.
     */
    private void relayTyping(StreamConnection connection, ClientFrame.Typing typing) {
        if (connection.typingThrottled(typing.conversationId())) {
            metrics.typingThrottled();
            return;
        }
        if (!hub.isMember(typing.conversationId(), connection.userId())) {
            throw ApiException.of(ErrorCode.NOT_FOUND, "no such conversation");
        }
        connection.typingRelayed(typing.conversationId());
        events.publish(new DomainEvent.Typing(typing.conversationId(), connection.userId()));
    }

    /**
     * Queues a send and answers it from the message writer that commits it, so the reading thread goes on to the next frame
     * at once and no thread waits for the commit. A send takes no admission place: it holds no connection of its own
     * (a writer stores its whole batch with one), and the writers' bounded queues answer {@code overloaded} when
     * they are full. A connection has at most {@link StreamConnection#MAX_SENDS_IN_FLIGHT} sends queued; past that
     * its reading thread waits for answers before it reads on.
     */
    private void submit(StreamConnection connection, ClientFrame.Send send, String clientMsgId) {
        connection.takeSendPlace();
        connection.sending(send.clientMsgId());
        try {
            messages.submit(connection.userId(), send.conversationId(), send.clientMsgId(), send.body(), send.replyTo(),
                            send.attachments())
                    .whenComplete((sent, failure) -> answerSend(connection, send.clientMsgId(), clientMsgId, sent,
                            failure));
        } catch (RuntimeException refused) {
            connection.notDelivered(send.clientMsgId());
            connection.releaseSendPlace();
            throw refused;
        }
    }

    /**
     * Answers a queued send with its {@code ack} or {@code error}: on the message writers' publisher, inside its
     * answer scope, once the send's batch has committed; on a writer, when its batch failed; or at once, on the
     * reading thread, when the writers refused it.
     */
    private static void answerSend(StreamConnection connection, UUID id, String clientMsgId, MessageService.Sent sent,
                                   Throwable failure) {
        try {
            if (failure == null) {
                if (!sent.created()) {
                    connection.notDelivered(id);
                }
                connection.send(new ServerFrame.Ack(clientMsgId, sent.message()));
            } else {
                connection.notDelivered(id);
                answerFailure(connection, clientMsgId, MessageService.failureOf(failure));
            }
        } finally {
            // after the answer is queued: a frame waiting for the answers to sends comes after it
            connection.releaseSendPlace();
        }
    }

    private static void answerFailure(StreamConnection connection, String clientMsgId, RuntimeException failure) {
        String requestId = "ws-" + UUID.randomUUID();
        ErrorResponses.Answer answer = ErrorResponses.answer(failure, requestId);
        connection.send(new ServerFrame.Error(clientMsgId, ServerFrame.ErrorDetail.of(answer)));
        if (failure instanceof ApiException refusal && refusal.code() == ErrorCode.RATE_LIMITED) {
            connection.refusedForRateLimit();
        }
    }
}
