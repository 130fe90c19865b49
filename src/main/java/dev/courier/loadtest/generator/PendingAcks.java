package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.client.StreamFrame.DeliveredMessage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Socket sends waiting for their {@code ack} (or {@code error}) frame, by {@code clientMsgId}. Thread-safe: sends
 * are registered by the pacer, answered on the sockets' threads and expired by the ticker.
 *
 * <p>Timeouts are swept by {@link #expire} rather than armed per send: a timer per message would wake a timer
 * thread hundreds of times a second, and every wake-up is CPU taken from the server under test.
 */
final class PendingAcks {

    private record Pending(long sentNanos, CompletableFuture<DeliveredMessage> ack) {
    }

    /** Sized for the most sends that can wait at once, so that it never resizes during a run. */
    private final Map<String, Pending> byClientMsgId = new ConcurrentHashMap<>(LoadOptions.MAX_IN_FLIGHT);

    /** Registers a send before it goes out; the future completes with its ack or fails with a {@link SendFailure}. */
    CompletableFuture<DeliveredMessage> expect(String clientMsgId, long sentNanos) {
        CompletableFuture<DeliveredMessage> ack = new CompletableFuture<>();
        byClientMsgId.put(clientMsgId, new Pending(sentNanos, ack));
        return ack;
    }

    void acked(String clientMsgId, DeliveredMessage message) {
        Pending pending = byClientMsgId.remove(clientMsgId);
        if (pending != null) {
            pending.ack().complete(message);
        }
    }

    void failed(String clientMsgId, SendFailure failure) {
        Pending pending = byClientMsgId.remove(clientMsgId);
        if (pending != null) {
            pending.ack().completeExceptionally(failure);
        }
    }

    /** Fails as {@code timeout} every send still waiting that went out before {@code sentBeforeNanos}. */
    void expire(long sentBeforeNanos) {
        byClientMsgId.forEach((clientMsgId, pending) -> {
            if (pending.sentNanos() < sentBeforeNanos && byClientMsgId.remove(clientMsgId, pending)) {
                pending.ack().completeExceptionally(new SendFailure("timeout"));
            }
        });
    }
}
