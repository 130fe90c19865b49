package dev.courier.messages;

import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where a send's time goes between its request and its answer, besides the statement itself (which the
 * connection's hold time, {@code courier.db.connection.hold{call_site="messages.send"}}, already shows): waiting for
 * a writer, and the answers and fan-out after the commit. A latency spike that the statement does not explain shows
 * up in one of these two.
 */
final class WriterMetrics {

    private final Timer queueWait;
    private final DistributionSummary batchSize;
    private final Timer publish;

    WriterMetrics(MeterRegistry meters) {
        this.queueWait = Timer.builder(MetricNames.MESSAGES_QUEUE_WAIT)
                .description("How long a send waited in the writers' queue before a batch took it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(15))
                .register(meters);
        this.batchSize = DistributionSummary.builder(MetricNames.MESSAGES_BATCH_SIZE)
                .description("Sends stored together in one statement")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue((double) 1024)
                .register(meters);
        this.publish = Timer.builder(MetricNames.MESSAGES_BATCH_PUBLISH)
                .description("How long after a batch committed its sends were answered and its messages handed to "
                        + "the streams, waiting for the publisher included")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(15))
                .register(meters);
    }

    /** Figures nobody reads, for writers outside a server. */
    static WriterMetrics unregistered() {
        return new WriterMetrics(new SimpleMeterRegistry());
    }

    /** A writer took {@code batch}: its size, and how long each of its sends waited since it was made. */
    void taken(List<PendingSend> batch) {
        long now = System.nanoTime();
        for (PendingSend send : batch) {
            queueWait.record(now - send.createdAtNanos(), TimeUnit.NANOSECONDS);
        }
        batchSize.record(batch.size());
    }

    void published(long startNanos) {
        publish.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
