package dev.courier.db;

import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every connection lent by {@link Database}, with the call site that borrowed it and the scope (request or socket
 * frame) it was borrowed in. This is what turns "a connection leaked" into "messages.send holds 3 connections for
 * 12 s".
 *
 * <p>Thread-safe: borrows and returns come from many request threads at once, reclaims from the reaper.
 */
public final class LeaseRegistry {

    /** A lease and what is needed to take it back. {@code reported} and {@code reclaimed} change at most once each. */
    static final class Held {
        final Lease lease;
        final Connection connection;
        final OperationScope scope;
        volatile boolean reported;
        volatile boolean reclaimed;
        volatile String reclaimReason;

        Held(Lease lease, Connection connection, OperationScope scope) {
            this.lease = lease;
            this.connection = connection;
            this.scope = scope;
        }
    }

    private final Map<Connection, Held> active = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final BorrowerStacks stacks = new BorrowerStacks();
    /** Call sites are names in the code, a small fixed set: one timer each, looked up without a builder per return. */
    private final Map<String, Timer> holdTimers = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final Counter suspected;
    private final Counter reclaimed;
    /**
     * An exponential average of how long leases are held, over roughly the last ten: recent enough to follow a
     * database that turns slow within a second, and smooth enough that one slow statement does not swing it. Updated
     * without a lock; a lost update among concurrent returns only delays it by one sample.
     */
    private volatile double averageHoldNanos;

    public LeaseRegistry(MeterRegistry meters) {
        this.meters = meters;
        this.suspected = Counter.builder(MetricNames.POOL_LEAKS_SUSPECTED)
                .description("Connection leases reported as leaks (held past the warning threshold or past their scope)")
                .register(meters);
        this.reclaimed = Counter.builder(MetricNames.POOL_LEAKS_RECLAIMED)
                .description("Leaked connections taken back: rolled back, closed and evicted from the pool")
                .register(meters);
    }

    /** {@code callback}: the class of the callback the connection is lent to, or null (see {@link BorrowerStacks}). */
    Held open(String callSite, Class<?> callback, Connection connection, OperationScope scope) {
        Thread thread = Thread.currentThread();
        Lease lease = new Lease(nextId.incrementAndGet(), callSite, thread.getName().isEmpty() ? thread.toString()
                : thread.getName(), System.nanoTime(), Instant.now(), stacks.capture(callSite, callback));
        Held held = new Held(lease, connection, scope);
        active.put(connection, held);
        return held;
    }

    void close(Connection connection) {
        Held held = active.remove(connection);
        if (held != null) {
            recordHold(held);
        }
    }

    /** Removes a lease that is being taken back; false when its holder returned it first. */
    boolean remove(Held held) {
        boolean removed = active.remove(held.connection, held);
        if (removed) {
            recordHold(held);
        }
        return removed;
    }

    Collection<Held> held() {
        return active.values();
    }

    int size() {
        return active.size();
    }

    void countSuspected() {
        suspected.increment();
    }

    void countReclaimed() {
        reclaimed.increment();
    }

    public long suspectedLeaks() {
        return (long) suspected.count();
    }

    public long reclaimedLeaks() {
        return (long) reclaimed.count();
    }

    /** The leases held right now, longest-held first. */
    public List<Lease> snapshot() {
        return active.values().stream().map(h -> h.lease).sorted(Comparator.comparingLong(Lease::startNanos)).toList();
    }

    /** How long a lease has been held on average lately, in nanoseconds (0 before the first return). */
    double averageHoldNanos() {
        return averageHoldNanos;
    }

    private void recordHold(Held held) {
        long nanos = System.nanoTime() - held.lease.startNanos();
        holdTimers.computeIfAbsent(held.lease.callSite(), this::holdTimer).record(nanos, TimeUnit.NANOSECONDS);
        averageHoldNanos += (nanos - averageHoldNanos) * HOLD_AVERAGE_WEIGHT;
    }

    private static final double HOLD_AVERAGE_WEIGHT = 0.1;

    /** Buckets from 1 ms to a minute: finer is noise next to a round trip, longer is reclaimed before. */
    private Timer holdTimer(String callSite) {
        return Timer.builder(MetricNames.DB_CONNECTION_HOLD)
                .description("How long each call site holds a database connection")
                .tag("call_site", callSite)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(1))
                .register(meters);
    }
}
