package dev.courier.db;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switches that prove Courier survives what it was built for: a share of operations that leak their
 * connection, latency added to every query, and a database outage. Exists only when {@code serve} was started with
 * {@code --enable-fault-injection}.
 *
 * <p>The outage switch stops the embedded PostgreSQL. With an external database, which Courier must not stop, it
 * closes the reachability gate instead: every caller is answered {@code 503 unavailable} exactly as during a real
 * outage, and the pool's idle connections are dropped, but PostgreSQL itself keeps running.
 */
public final class FaultInjection {

    private static final Logger log = LoggerFactory.getLogger(FaultInjection.class);

    /** Longest query latency that may be injected; beyond the statement timeout it only proves the timeout. */
    public static final long MAX_QUERY_LATENCY_MS = 60_000;

    /** The switches. {@code leakRate} is the share of operations (0 to 1) that leak one connection. */
    public record Faults(double leakRate, long queryLatencyMs, boolean databaseDown) {

        public static final Faults NONE = new Faults(0.0, 0, false);

        public Faults {
            if (!(leakRate >= 0.0 && leakRate <= 1.0)) {
                throw new IllegalArgumentException("leakRate must be between 0 and 1");
            }
            if (queryLatencyMs < 0 || queryLatencyMs > MAX_QUERY_LATENCY_MS) {
                throw new IllegalArgumentException("queryLatencyMs must be between 0 and " + MAX_QUERY_LATENCY_MS);
            }
        }

        /** The switches in words, only those that are on: for logs, timelines and postmortems. */
        public String describe() {
            List<String> on = new ArrayList<>();
            if (leakRate > 0) {
                String share = leakRate >= 0.01 ? Math.round(leakRate * 100) + " %" : String.valueOf(leakRate);
                on.add(share + " of operations leak their connection");
            }
            if (queryLatencyMs > 0) {
                on.add("every query delayed " + queryLatencyMs + " ms");
            }
            if (databaseDown) {
                on.add("PostgreSQL stopped");
            }
            return on.isEmpty() ? "no faults" : String.join(", ", on);
        }
    }

    /** One change of the switches, for logs and incident timelines. */
    public record Change(Instant at, Faults before, Faults after) {
    }

    private final Database database;
    private final Optional<EmbeddedDatabase> embedded;
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private Faults current = Faults.NONE;

    public FaultInjection(Database database, Optional<EmbeddedDatabase> embedded) {
        this.database = database;
        this.embedded = embedded;
        log.warn("fault injection is enabled: /v1/admin/faults can leak connections and stop the database");
    }

    public synchronized Faults current() {
        return current;
    }

    /** Sets every switch; returns the new state once it is in effect (the embedded database stopped or started). */
    public synchronized Faults apply(Faults next) {
        Faults before = current;
        if (next.equals(before)) {
            return current;
        }
        database.injectLeakRate(next.leakRate());
        database.injectQueryLatency(next.queryLatencyMs());
        if (next.databaseDown() != before.databaseDown()) {
            switchDatabase(next.databaseDown());
        }
        current = next;
        Change change = new Change(Instant.now(), before, next);
        log.warn("fault injection changed: {} (before: {})", next.describe(), before.describe());
        for (Consumer<Change> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                log.warn("fault injection listener failed: {}", e.toString());
            }
        }
        return next;
    }

    /** Registers a watcher of every switch change (e.g. an incident timeline). */
    public void addListener(Consumer<Change> listener) {
        listeners.add(listener);
    }

    private void switchDatabase(boolean down) {
        if (embedded.isPresent()) {
            if (down) {
                embedded.get().suspend();
            } else {
                embedded.get().resume();
            }
            database.checkReachability();
        } else {
            database.forceUnreachable(down ? "database switched off by fault injection" : null);
        }
    }
}
