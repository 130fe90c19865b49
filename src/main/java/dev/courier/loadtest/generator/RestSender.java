package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.ApiResponse;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.client.StreamFrame.DeliveredMessage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Sends each message with {@code POST .../messages}; the call blocks, so each gets a virtual thread. */
final class RestSender implements MessageSender {

    private final CourierClient client;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();

    RestSender(CourierClient client) {
        this.client = client;
    }

    @Override
    public CompletableFuture<DeliveredMessage> send(OutgoingMessage message) {
        CompletableFuture<DeliveredMessage> answer = new CompletableFuture<>();
        senders.execute(() -> {
            try {
                answer.complete(post(message));
            } catch (SendFailure f) {
                answer.completeExceptionally(f);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                // An interrupted send, or one that threw, is not counted; ending it returns its in-flight permit.
                answer.cancel(false);
            }
        });
        return answer;
    }

    /** Sends one message and blocks for the answer. */
    private DeliveredMessage post(OutgoingMessage message) throws SendFailure, InterruptedException {
        try {
            ApiResponse r = client.post("/v1/conversations/" + message.conversationId() + "/messages",
                    message.sender().token(), Map.of("clientMsgId", message.clientMsgId(), "body", message.body()));
            if (r.status() != 201 && r.status() != 200) {
                throw SendFailure.ofAnswer(r);
            }
            return DeliveredMessage.of(r.json());
        } catch (HttpTimeoutException e) {
            throw new SendFailure("timeout");
        } catch (ConnectException e) {
            throw new SendFailure("connection refused");
        } catch (IOException e) {
            throw new SendFailure("transport error");
        }
    }

    @Override
    public void close() {
        senders.close();
    }
}
