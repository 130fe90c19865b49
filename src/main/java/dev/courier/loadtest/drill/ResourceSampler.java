package dev.courier.loadtest.drill;

import dev.courier.loadtest.client.ApiResponse;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.client.MetricsText;
import dev.courier.loadtest.report.ResourceSample;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Reads the server's resources from {@code /metrics} every {@link #PERIOD_MILLIS} on a virtual thread of its own,
 * beside a soak: heap, resident memory, threads, file descriptors and the connection pool. A look that gets no
 * answer is skipped (a soak's outage drill stops the database, not the server, so that is rare).
 */
final class ResourceSampler implements AutoCloseable {

    static final long PERIOD_MILLIS = 2_000;

    static final String HEAP = "jvm_memory_used_bytes";
    static final String RESIDENT = "process_resident_memory_bytes";
    static final String THREADS = "jvm_threads_live_threads";
    static final String OPEN_FILES = "process_files_open_files";
    static final String POOL_ACTIVE = "hikaricp_connections_active";
    static final String POOL_IDLE = "hikaricp_connections_idle";
    static final String POOL_PENDING = "hikaricp_connections_pending";
    static final String LEASES_LEAKING = "courier_db_pool_leases_leaking";

    private static final String PATH = MetricsText.path(List.of(HEAP, RESIDENT, THREADS, OPEN_FILES, POOL_ACTIVE,
            POOL_IDLE, POOL_PENDING, LEASES_LEAKING));

    /** One look, at {@code atNanos} in {@link System#nanoTime()} terms. */
    record Reading(long atNanos, MetricsText metrics) {

        /** As the report keeps it, {@code t} seconds into a run that started at {@code startNanos}. */
        ResourceSample sample(long startNanos) {
            return new ResourceSample(Math.round((atNanos - startNanos) / 1e7) / 100.0,
                    metrics.sum(HEAP, "area=\"heap\""), metrics.sum(RESIDENT), metrics.sum(THREADS),
                    metrics.sum(OPEN_FILES), metrics.sum(POOL_ACTIVE), metrics.sum(POOL_IDLE),
                    metrics.sum(POOL_PENDING), metrics.sum(LEASES_LEAKING));
        }
    }

    private final CourierClient client;
    private final List<Reading> readings = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    ResourceSampler(CourierClient client) {
        this.client = client;
        this.thread = Thread.ofVirtual().name("resource-sampler").start(this::sampleUntilClosed);
    }

    /** The samples taken from {@code startNanos} on, as the report keeps them. */
    List<ResourceSample> samplesSince(long startNanos) {
        return readings.stream().filter(r -> r.atNanos() >= startNanos).map(r -> r.sample(startNanos)).toList();
    }

    private void sampleUntilClosed() {
        while (running) {
            try {
                long at = System.nanoTime();
                ApiResponse r = client.get(PATH, null);
                if (r.status() == 200) {
                    readings.add(new Reading(at, MetricsText.parse(r.body())));
                }
            } catch (IOException e) {
                // no answer this time: the next look will tell
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(2_000);
    }
}
