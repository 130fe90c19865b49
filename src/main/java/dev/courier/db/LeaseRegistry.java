package dev.courier.db;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every connection lent by {@link Database}, with the call site that borrowed it. This is what turns
 * "a connection leaked" into "messages.send holds 3 connections for 12 s".
 *
 * <p>Thread-safe: borrows and returns come from many request threads at once.
 */
public final class LeaseRegistry {

    private final Map<Connection, Lease> active = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final MeterRegistry meters;

    public LeaseRegistry(MeterRegistry meters) {
        this.meters = meters;
    }

    Lease open(String callSite, Connection connection) {
        Thread thread = Thread.currentThread();
        Lease lease = new Lease(nextId.incrementAndGet(), callSite, thread.getName().isEmpty() ? thread.toString()
                : thread.getName(), System.nanoTime(), Instant.now(), new Throwable("borrowed by " + callSite));
        active.put(connection, lease);
        return lease;
    }

    void close(Connection connection) {
        Lease lease = active.remove(connection);
        if (lease != null) {
            holdTimer(lease.callSite()).record(System.nanoTime() - lease.startNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** The leases held right now, longest-held first. */
    public List<Lease> snapshot() {
        return active.values().stream().sorted(Comparator.comparingLong(Lease::startNanos)).toList();
    }

    private Timer holdTimer(String callSite) {
        return Timer.builder("courier.db.connection.hold")
                .description("How long each call site holds a database connection")
                .tag("call_site", callSite)
                .publishPercentileHistogram()
                .register(meters);
    }
}
