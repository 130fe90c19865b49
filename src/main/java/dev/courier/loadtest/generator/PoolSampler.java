package dev.courier.loadtest.generator;

import static java.util.stream.Collectors.joining;

import dev.courier.loadtest.client.ApiResponse;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.report.PoolSample;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads the server's connection pool from {@code /metrics} (HikariCP's gauges, summed over pools) once a second, off
 * the ticker's thread. A missing gauge is -1.
 */
final class PoolSampler {

    private static final Map<String, String> GAUGES = Map.of(
            "hikaricp_connections_active", "active",
            "hikaricp_connections_idle", "idle",
            "hikaricp_connections_pending", "pending",
            "hikaricp_connections_max", "max");

    /**
     * {@code /metrics} asking for these gauges only ({@code name[]}): the whole page is about 200 KB of
     * histograms the server would render every second for nothing. A server that ignores the parameter answers
     * with the whole page, which {@link #parse} reads the same.
     */
    static final String METRICS_PATH = "/metrics?" + GAUGES.keySet().stream().sorted()
            .map(name -> URLEncoder.encode("name[]", StandardCharsets.UTF_8) + "=" + name)
            .collect(joining("&"));

    /** Reads the pool gauges out of a Prometheus text exposition. */
    static PoolSample parse(String exposition) {
        Map<String, Double> sums = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int nameEnd = indexOfAny(line);
            String name = line.substring(0, nameEnd);
            String field = GAUGES.get(name);
            if (field == null) {
                continue;
            }
            String afterLabels = line.charAt(nameEnd) == '{' ? line.substring(line.lastIndexOf('}') + 1) : line.substring(nameEnd);
            String[] parts = afterLabels.trim().split("\\s+");
            try {
                sums.merge(field, Double.parseDouble(parts[0]), Double::sum);
            } catch (NumberFormatException e) {
                // a value such as NaN from a gauge whose pool is gone: not a sample
            }
        }
        return new PoolSample(sums.getOrDefault("active", -1.0), sums.getOrDefault("idle", -1.0),
                sums.getOrDefault("pending", -1.0), sums.getOrDefault("max", -1.0));
    }

    private static int indexOfAny(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '{' || c == ' ' || c == '\t') {
                return i;
            }
        }
        return line.length();
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
