package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.ApiResponse;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.client.MetricsText;
import dev.courier.loadtest.report.PoolSample;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads the server's connection pool from {@code /metrics} (HikariCP's gauges, summed over pools) once a second, off
 * the ticker's thread. A missing gauge is -1.
 */
final class PoolSampler {

    private static final List<String> GAUGES = List.of("hikaricp_connections_active", "hikaricp_connections_idle",
            "hikaricp_connections_pending", "hikaricp_connections_max");

    /** {@code /metrics} asking for these gauges only. */
    static final String METRICS_PATH = MetricsText.path(GAUGES);

    /** Reads the pool gauges out of a Prometheus text exposition. */
    static PoolSample parse(String exposition) {
        MetricsText metrics = MetricsText.parse(exposition);
        return new PoolSample(metrics.sum(GAUGES.get(0)), metrics.sum(GAUGES.get(1)), metrics.sum(GAUGES.get(2)),
                metrics.sum(GAUGES.get(3)));
    }

    private final CourierClient client;
    private final AtomicReference<PoolSample> last = new AtomicReference<>();

    PoolSampler(CourierClient client) {
        this.client = client;
    }

    /** The latest sample, or null when there is none yet or {@code /metrics} did not answer. */
    PoolSample last() {
        return last.get();
    }

    /** Takes the next sample on a virtual thread of its own: a slow {@code /metrics} must not hold up the ticker. */
    void sampleInBackground() {
        Thread.ofVirtual().start(this::sample);
    }

    private void sample() {
        try {
            ApiResponse r = client.get(METRICS_PATH, null);
            if (r.status() == 200) {
                last.set(parse(r.body()));
            }
        } catch (IOException e) {
            last.set(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
