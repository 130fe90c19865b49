package dev.courier.loadtest;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/** Reads the server's connection pool from {@code /metrics} once a second, off the ticker's thread. */
final class PoolSampler {

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
            ApiResponse r = client.get(PoolSample.METRICS_PATH, null);
            if (r.status() == 200) {
                last.set(PoolSample.parse(r.body()));
            }
        } catch (IOException e) {
            last.set(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
