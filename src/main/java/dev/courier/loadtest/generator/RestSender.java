package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.StreamFrame.DeliveredMessage;
import dev.courier.web.Json;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpMethod;

/** Sends each message with {@code POST .../messages}, through {@link AsyncRest}. */
final class RestSender implements MessageSender {

    private final AsyncRest rest;

    /**
     * @param connections kept-alive connections at most
     * @param queued      sends waiting for a connection at most
     */
    RestSender(URI base, int connections, int queued, Duration timeout) {
        this.rest = new AsyncRest(base, connections, queued, timeout);
    }

    @Override
    public CompletableFuture<DeliveredMessage> send(OutgoingMessage message) {
        CompletableFuture<DeliveredMessage> stored = new CompletableFuture<>();
        String json = Json.write(Map.of("clientMsgId", message.clientMsgId(), "body", message.body()));
        rest.call(HttpMethod.POST, "/v1/conversations/" + message.conversationId() + "/messages",
                message.sender().token(), json).whenComplete((r, failure) -> {
                    if (failure != null) {
                        stored.completeExceptionally(failure);
                    } else if (r.status() != 201 && r.status() != 200) {
                        stored.completeExceptionally(SendFailure.ofAnswer(r));
                    } else {
                        stored.complete(DeliveredMessage.of(r.json()));
                    }
                });
        return stored;
    }

    @Override
    public void close() {
        rest.close();
    }
}
