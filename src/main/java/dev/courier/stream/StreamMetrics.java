package dev.courier.stream;

import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/**
 * The stream's meters: open connections, frames sent, slow consumers and flooders closed, gaps filled, typing frames
 * throttled.
 */
final class StreamMetrics {

    private final Counter framesSent;
    private final Counter slowConsumers;
    private final Counter gapFills;
    private final Counter revoked;
    private final Counter flooders;
    private final Counter typingThrottled;

    StreamMetrics(MeterRegistry meters, Supplier<Number> openConnections) {
        Gauge.builder(MetricNames.STREAM_CONNECTIONS, openConnections)
                .description("open WebSocket streams on this node").register(meters);
        framesSent = Counter.builder(MetricNames.STREAM_FRAMES_SENT)
                .description("frames sent to WebSocket streams on this node").register(meters);
        slowConsumers = Counter.builder(MetricNames.STREAM_SLOW_CONSUMERS)
                .description("streams closed with 4008 because the client read too slowly").register(meters);
        gapFills = Counter.builder(MetricNames.STREAM_GAP_FILLS)
                .description("times missing messages were read from the table before delivery").register(meters);
        revoked = Counter.builder(MetricNames.STREAM_REVOKED)
                .description("streams closed with 4001 because their token was revoked").register(meters);
        flooders = Counter.builder(MetricNames.STREAM_FLOODERS)
                .description("streams closed with 1008 because the client kept sending while rate limited")
                .register(meters);
        typingThrottled = Counter.builder(MetricNames.STREAM_TYPING_THROTTLED)
                .description("typing frames dropped: the connection had sent one for the conversation less than 3 s before")
                .register(meters);
    }

    void frameSent() {
        framesSent.increment();
    }

    void slowConsumer() {
        slowConsumers.increment();
    }

    void gapFilled() {
        gapFills.increment();
    }

    void revoked() {
        revoked.increment();
    }

    void flooderClosed() {
        flooders.increment();
    }

    void typingThrottled() {
        typingThrottled.increment();
    }
}
