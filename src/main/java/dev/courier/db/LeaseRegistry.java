package dev.courier.db;

import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
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

    /**
     * A lease, what is needed to take it back, and what its holder is doing. {@code reported} (as a leak),
     * {@code saturation} and {@code reclaimed} change at most once each.
     */
    static final class Held {
        final Lease lease;
        final Connection connection;
        final OperationScope scope;
        /** The place the lease took among the scoped connections, given back with the lease; null for none. */
        final Semaphore quota;
        /** The borrowing thread: its state tells a holder waiting for a core from one doing nothing. */
        final Thread thread;
        /** False for a borrow outside any callback (fault injection's leaks). */
        final boolean lentToCallback;
        /** True while the callback the connection was lent to runs; a lease without one is a leak. */
        volatile boolean callbackRunning;
        volatile boolean inStatement;
        /** {@link System#nanoTime()} when a statement last started or ended, or at borrow. */
        volatile long lastStatementNanos;
        /**
         * When the sweep first saw the holder idle (neither in a statement nor runnable) with no statement since,
         * if {@code seenIdle}. Only the sweep's one thread reads and writes these two.
         */
        long idleSeenSinceNanos;
        boolean seenIdle;
        volatile boolean reported;
        volatile Saturation saturation;
        volatile boolean reclaimed;
        volatile String reclaimReason;

        Held(Lease lease, Connection connection, OperationScope scope, Thread thread, boolean lentToCallback,
             Semaphore quota) {
            this.lease = lease;
            this.connection = connection;
            this.scope = scope;
            this.quota = quota;
            this.thread = thread;
            this.lentToCallback = lentToCallback;
            this.callbackRunning = lentToCallback;
            this.lastStatementNanos = lease.startNanos();
        }

        void statementStarted() {
            lastStatementNanos = System.nanoTime();
            inStatement = true;
        }

        /** Idempotent: a statement ends after executing, and again when Jdbi closes it. */
        void statementEnded() {
            if (inStatement) {
                inStatement = false;
                lastStatementNanos = System.nanoTime();
            }
        }

        /** True for the one caller that marks it reported first: the sweep and the end of its scope may race. */
        synchronized boolean markReported() {
            if (reported) {
                return false;
            }
            reported = true;
            return true;
        }

        void callbackEnded() {
            callbackRunning = false;
        }

        HeldLease snapshot() {
            boolean leaking = reported;
            return new HeldLease(lease, inStatement, leaking, leaking ? null : saturation);
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
    private final Map<Saturation, Counter> slowHolds = new EnumMap<>(Saturation.class);

    public LeaseRegistry(MeterRegistry meters) {
        this.meters = meters;
        this.suspected = Counter.builder(MetricNames.POOL_LEAKS_SUSPECTED)
                .description("Connection leases reported as leaks (held by no running code or an idle thread, or past"
                        + " their scope)")
                .register(meters);
        this.reclaimed = Counter.builder(MetricNames.POOL_LEAKS_RECLAIMED)
                .description("Leaked connections taken back: rolled back, closed and evicted from the pool")
                .register(meters);
        for (Saturation cause : Saturation.values()) {
            slowHolds.put(cause, Counter.builder(MetricNames.POOL_SLOW_HOLDS)
                    .description("Leases held past the leak warning threshold by work still running, by what it waited"
                            + " for: saturation, not leaks")
                    .tag("cause", cause.label())
                    .register(meters));
        }
        Gauge.builder(MetricNames.POOL_LEASES_LEAKING, this, r -> r.active.values().stream().filter(h -> h.reported)
                        .count())
                .description("Connections reported as leaked and not yet taken back").register(meters);
    }

    /**
     * {@code callback}: the class of the callback the connection is lent to, or null for a borrow outside any (see
     * {@link BorrowerStacks}).
     */
    Held open(String callSite, Class<?> callback, Connection connection, OperationScope scope, Semaphore quota) {
        Thread thread = Thread.currentThread();
        Lease lease = new Lease(nextId.incrementAndGet(), callSite, thread.getName().isEmpty() ? thread.toString()
                : thread.getName(), System.nanoTime(), Instant.now(), stacks.capture(callSite, callback));
        Held held = new Held(lease, connection, scope, thread, callback != null, quota);
        active.put(connection, held);
        return held;
    }

    void close(Connection connection) {
        Held held = active.remove(connection);
        if (held != null) {
            ended(held);
        }
    }

    /** Removes a lease that is being taken back; false when its holder returned it first. */
    boolean remove(Held held) {
        boolean removed = active.remove(held.connection, held);
        if (removed) {
            ended(held);
        }
        return removed;
    }

    /** The lease of {@code connection}, or null when it is not lent (any more). */
    Held heldBy(Connection connection) {
        return active.get(connection);
    }

    /** False once {@code held} was returned or taken back. */
    boolean isLent(Held held) {
        return active.get(held.connection) == held;
    }

    /** Weakly consistent: may include a lease returned while the caller walks it; see {@link #isLent}. */
    Collection<Held> held() {
        return active.values();
    }

    int size() {
        return active.size();
    }

    void countSuspected() {
        suspected.increment();
    }

    void countSlowHold(Saturation cause) {
        slowHolds.get(cause).increment();
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
    public List<HeldLease> snapshot() {
        return active.values().stream().sorted(Comparator.comparingLong(h -> h.lease.startNanos()))
                .map(Held::snapshot).toList();
    }

    /** How long a lease has been held on average lately, in nanoseconds (0 before the first return). */
    double averageHoldNanos() {
        return averageHoldNanos;
    }

    /** The lease has ended, returned or taken back (exactly once, by whoever removed it): record it, free its place. */
    private void ended(Held held) {
        recordHold(held);
        if (held.quota != null) {
            held.quota.release();
        }
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
