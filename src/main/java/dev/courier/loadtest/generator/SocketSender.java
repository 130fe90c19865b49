package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.SendFrame;
import dev.courier.loadtest.client.StreamConnection;
import dev.courier.loadtest.client.StreamFrame.DeliveredMessage;
import java.util.concurrent.CompletableFuture;

/**
 * Hands each message to its sender's socket as a {@code send} frame. The send costs no thread: it ends when the
 * frame intake sees its {@code ack} or {@code error} frame, when the socket breaks, or when the ticker's sweep finds
 * it older than {@link LoadRun#REQUEST_TIMEOUT}.
 */
final class SocketSender implements MessageSender {

    private final UserStreams streams;
    private final PendingAcks pending;

    SocketSender(UserStreams streams, PendingAcks pending) {
        this.streams = streams;
        this.pending = pending;
    }

    @Override
    public CompletableFuture<DeliveredMessage> send(OutgoingMessage message) {
        StreamConnection stream = streams.of(message.sender());
        if (stream == null) {
            return CompletableFuture.failedFuture(new SendFailure("stream closed"));
        }
        CompletableFuture<DeliveredMessage> ack = pending.expect(message.clientMsgId(), System.nanoTime());
        stream.send(new SendFrame(message.conversationId(), message.clientMsgId(), message.body()))
                .whenComplete((sent, failure) -> {
                    if (failure != null) {
                        pending.failed(message.clientMsgId(), new SendFailure("stream closed"));
                    }
                });
        return ack;
    }

    @Override
    public void close() {
    }
}
