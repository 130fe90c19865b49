package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.StreamFrame.DeliveredMessage;
import java.util.concurrent.CompletableFuture;

/**
 * How a run's messages reach the server: {@code POST .../messages} ({@link RestSender}) or a {@code send} frame on
 * the sender's socket ({@link SocketSender}).
 */
interface MessageSender extends AutoCloseable {

    /**
     * Starts one send without waiting for it. The future completes with the stored message, fails with a
     * {@link SendFailure} (or another exception of the transport), or is cancelled when the send ended without an
     * answer to count (its thread was interrupted).
     */
    CompletableFuture<DeliveredMessage> send(OutgoingMessage message);

    /** Waits for the sends still running on threads of their own. */
    @Override
    void close();
}
