package dev.courier.loadtest.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.client.StreamFrame.DeliveredMessage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class PendingAcksTest {

    private static final DeliveredMessage MESSAGE = new DeliveredMessage(41, 7, 3, 2, "a");
    private final PendingAcks pending = new PendingAcks();

    private static String failureOf(CompletableFuture<DeliveredMessage> ack) {
        assertThat(ack).isCompletedExceptionally();
        try {
            ack.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return ((SendFailure) e.getCause()).getMessage();
        }
    }

    @Test
    void anAckCompletesItsSendWithTheAcknowledgedMessage() {
        CompletableFuture<DeliveredMessage> ack = pending.expect("a", 0);

        pending.acked("a", MESSAGE);

        assertThat(ack).isCompletedWithValue(MESSAGE);
    }

    @Test
    void anErrorFrameFailsItsSendWithItsCode() {
        CompletableFuture<DeliveredMessage> ack = pending.expect("a", 0);

        pending.failed("a", new SendFailure("stream overloaded"));

        assertThat(failureOf(ack)).isEqualTo("stream overloaded");
    }

    @Test
    void onlySendsOlderThanTheCutoffTimeOut() {
        CompletableFuture<DeliveredMessage> old = pending.expect("old", 100);
        CompletableFuture<DeliveredMessage> recent = pending.expect("recent", 200);

        pending.expire(150);

        assertThat(failureOf(old)).isEqualTo("timeout");
        assertThat(recent).isNotDone();
    }

    @Test
    void anAckAfterItsTimeoutChangesNothing() {
        CompletableFuture<DeliveredMessage> ack = pending.expect("a", 100);
        pending.expire(150);

        pending.acked("a", MESSAGE);
        pending.acked("unknown", MESSAGE);

        assertThat(failureOf(ack)).isEqualTo("timeout");
    }
}
