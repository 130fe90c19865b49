package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.SendFrame;
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
        CompletableFuture<DeliveredMessage> ack = pending.expect(message.clientMsgId(), System.nanoTime());
        // A send on a stream that the server closes before answering is sent again on the resumed stream (see
        // UserStreams), so a socket that fails under it is not its end: only no stream at all, or no answer in time.
        streams.send(message.sender(), new SendFrame(message.conversationId(), message.clientMsgId(), message.body()),
                () -> pending.failed(message.clientMsgId(), new SendFailure("stream closed")));
        return ack;
    }

    @Override
    public void close() {
    }
}
