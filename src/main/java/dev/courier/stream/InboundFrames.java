package dev.courier.stream;

import dev.courier.db.Database;
import dev.courier.db.OperationScope;
import dev.courier.messages.MessageService;
import dev.courier.ratelimit.Limit;
import dev.courier.ratelimit.RateLimiter;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import dev.courier.web.ErrorResponses;
import java.util.UUID;

/**
 * Answers what a client sends on its stream by calling the same service methods as REST, so a send over the socket
 * has REST's validation, idempotency and error codes; failures become {@code error} frames through the same
 * mapping as HTTP errors.
 */
final class InboundFrames {

    private final MessageService messages;
    private final Database database;
    private final RateLimiter rateLimiter;

    InboundFrames(MessageService messages, Database database, RateLimiter rateLimiter) {
        this.messages = messages;
        this.database = database;
        this.rateLimiter = rateLimiter;
    }

    void handle(StreamConnection connection, String text) {
        String clientMsgId = null;
        try {
            ClientFrame frame = ClientFrame.decode(text);
            switch (frame) {
                case ClientFrame.Send send -> {
                    clientMsgId = send.clientMsgId().toString();
                    // one "messages" bucket per user for REST and socket together
                    rateLimiter.checkUser(Limit.MESSAGES, connection.userId());
                    MessageService.Sent sent;
                    // a frame is an operation like a request: admitted or refused fast, and any connection it
                    // still holds when it ends is reported and taken back
                    try (OperationScope scope = database.openScope("ws.send")) {
                        sent = messages.send(connection.userId(), send.conversationId(), send.clientMsgId(),
                                send.body());
                    }
                    connection.send(new ServerFrame.Ack(clientMsgId, sent.message()));
                }
                case ClientFrame.Read read -> {
                    rateLimiter.checkUser(Limit.WRITES, connection.userId());
                    try (OperationScope scope = database.openScope("ws.read")) {
                        messages.markRead(connection.userId(), read.conversationId(), read.seq());
                    }
                }
                case ClientFrame.Ping ping -> connection.send(new ServerFrame.Pong());
            }
        } catch (RuntimeException failure) {
            if (clientMsgId == null) {
                clientMsgId = ClientFrame.clientMsgIdOf(text).orElse(null);
            }
            String requestId = "ws-" + UUID.randomUUID();
            ErrorResponses.Answer answer = ErrorResponses.answer(failure, requestId);
            connection.send(new ServerFrame.Error(clientMsgId, ServerFrame.ErrorDetail.of(answer)));
            if (failure instanceof ApiException refusal && refusal.code() == ErrorCode.RATE_LIMITED) {
                connection.refusedForRateLimit();
            }
        }
    }
}
