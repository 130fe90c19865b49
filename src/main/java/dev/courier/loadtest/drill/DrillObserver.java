package dev.courier.loadtest.drill;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.loadtest.client.ApiResponse;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.generator.LoadRun;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches a server the way an operator's tools would, four times a second: readiness, the pool's own report
 * of who holds connections, and the firing alerts. Runs beside a {@link LoadRun} on a virtual thread.
 */
final class DrillObserver implements AutoCloseable {

    static final long PERIOD_MILLIS = 250;

    /** One look at the server. {@code -1} where an endpoint did not answer. */
    record Sample(long atNanos, int readyStatus, long suspectedLeaks, long reclaimedLeaks, long poolActive,
                  long poolPending, List<String> firingAlerts) {

        /** Trouble the baseline did not have: an alert already firing before the fault is not the fault's. */
        boolean troubleSeen(Sample baseline) {
            return readyStatus != 200 || suspectedLeaks > baseline.suspectedLeaks()
                    || reclaimedLeaks > baseline.reclaimedLeaks() || !newAlerts(baseline).isEmpty();
        }

        List<String> newAlerts(Sample baseline) {
            return firingAlerts.stream().filter(a -> !baseline.firingAlerts().contains(a)).toList();
        }
    }

    private final CourierClient client;
    private final String adminToken;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    DrillObserver(CourierClient client, String adminToken) {
        this.client = client;
        this.adminToken = adminToken;
        this.thread = Thread.ofVirtual().name("drill-observer").start(this::observe);
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    private void observe() {
        while (running) {
            try {
                samples.add(sample());
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Sample sample() throws InterruptedException {
        long at = System.nanoTime();
        int ready = status("/health/ready");
        JsonNode pool = json("/v1/admin/pool");
        JsonNode alerts = json("/v1/admin/alerts");
        List<String> firing = new ArrayList<>();
        for (JsonNode alert : alerts.path("alerts")) {
            if ("firing".equals(alert.path("state").asText())) {
                firing.add(alert.path("name").asText());
            }
        }
        return new Sample(at, ready, pool.path("suspectedLeaks").asLong(-1), pool.path("reclaimedLeaks").asLong(-1),
                pool.path("active").asLong(-1), pool.path("pending").asLong(-1), List.copyOf(firing));
    }

    private int status(String path) throws InterruptedException {
        try {
            return client.get(path, null).status();
        } catch (IOException e) {
            return -1;
        }
    }

    private JsonNode json(String path) throws InterruptedException {
        try {
            ApiResponse r = client.get(path, adminToken);
            return r.status() == 200 ? r.json() : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        } catch (IOException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(2_000);
    }
}
