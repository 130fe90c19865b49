package dev.courier.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** The stream's meters: open connections, frames sent, slow consumers closed, gaps filled from the table. */
final class StreamMetrics {

    private final Counter framesSent;
    private final Counter slowConsumers;
    private final Counter gapFills;
    private final Counter revoked;

    StreamMetrics(MeterRegistry meters, Supplier<Number> openConnections) {
        Gauge.builder("courier.stream.connections", openConnections)
                .description("open WebSocket streams on this node").register(meters);
        framesSent = Counter.builder("courier.stream.frames.sent").register(meters);
        slowConsumers = Counter.builder("courier.stream.slow.consumers")
                .description("streams closed with 4008 because the client read too slowly").register(meters);
        gapFills = Counter.builder("courier.stream.gap.fills")
                .description("times missing messages were read from the table before delivery").register(meters);
        revoked = Counter.builder("courier.stream.revoked")
                .description("streams closed with 4001 because their token was revoked").register(meters);
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
}
