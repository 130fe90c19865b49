package dev.courier.db;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.courier.config.PoolConfig;
import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only door to a database connection. A {@link Handle} exists only for the length of a callback, and each
 * borrow is registered under the name of the operation that asked for it, so a connection held too long has a
 * name. Failures of the pool or the database leave as {@link DatabaseBusyException} or
 * {@link DatabaseUnavailableException}; anything else propagates unchanged.
 *
 * <p>In front of the pool stand three fast refusals: the admission limit ({@link #openScope}), the reachability
 * gate (while PostgreSQL is known to be down, nobody waits for a connect timeout), and the saturation check
 * (when every connection has been held longer than the acquisition deadline, waiting for one is futile).
 */
public final class Database implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final ThreadLocal<OperationScope> SCOPE = new ThreadLocal<>();

    /** Told when a caller got no connection from the pool in time. */
    interface AcquisitionWatcher {
        void acquisitionFailed(String callSite, long waitedMillis, SQLTransientConnectionException failure);
    }

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final LeaseRegistry leases;
    private final LeasingConnectionFactory connections;
    private final PoolWatch watch;
    private final ResourceRefusals resourceRefusals = new ResourceRefusals(this::publish);
    private final Runnable onClose;
    private final List<Consumer<PoolEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Admission admission;
    /** How many connections work inside operation scopes may hold at once (see {@code PoolConfig}). */
    private final int scopedConnections;
    private final long acquireTimeoutNanos;
    private final PausedTime pauses;
    private final Counter rejectedByLimit;
    private final Counter rejectedSaturated;
    private final Counter rejectedAcquireTimeout;
    private volatile double leakRate;
    private volatile long addedQueryLatencyMillis;
    private final String schemaVersion;

    Database(HikariDataSource dataSource, LeaseRegistry leases, PoolConfig pool, DirectConnector direct,
             PausedTime pauses, MeterRegistry meters, Runnable onClose, String schemaVersion) {
        this.schemaVersion = schemaVersion;
        this.dataSource = dataSource;
        this.leases = leases;
        this.onClose = onClose;
        this.acquireTimeoutNanos = pool.acquireTimeout().toNanos();
        this.pauses = pauses;
        this.admission = new Admission(pool, meters);
        this.scopedConnections = pool.scopedConnections();
        this.connections = new LeasingConnectionFactory(dataSource, leases, this::acquisitionTimedOut,
                scopedConnections, pool.acquireTimeout());
        this.jdbi = Jdbi.create(connections).installPlugin(new PostgresPlugin());
        this.jdbi.addCustomizer(new StatementActivity(leases));
        this.jdbi.addCustomizer(new AddedLatency(() -> addedQueryLatencyMillis));
        this.rejectedByLimit = rejections(meters, "admission_limit");
        this.rejectedSaturated = rejections(meters, "pool_saturated");
        this.rejectedAcquireTimeout = rejections(meters, "acquire_timeout");
        this.watch = new PoolWatch(new LeaseReclaimer(leases, dataSource, direct, this::publish, pool.leakWarning(),
                pool.leakReclaim(), pauses), direct, this::publish, dataSource, pauses);
        Gauge.builder(MetricNames.DB_REACHABLE, () -> watch.reachability().reachable() ? 1 : 0)
                .description("1 while PostgreSQL answers, 0 while it is unreachable").register(meters);
    }

    /**
     * Opens the scope of one operation from outside (an HTTP request, a socket frame) on this thread. Refused with
     * {@link DatabaseBusyException} when the admission limit ({@link Admission}) is reached. Close it when the
     * operation ends.
     */
    public OperationScope openScope(String name) {
        Admission.Ticket ticket = admission.tryEnter().orElse(null);
        if (ticket == null) {
            rejectedByLimit.increment();
            throw new DatabaseBusyException("admission limit of " + admission.limit() + " operations reached");
        }
        OperationScope scope = new OperationScope(name, this, SCOPE.get(), ticket);
        SCOPE.set(scope);
        double rate = leakRate;
        if (rate > 0 && ThreadLocalRandom.current().nextDouble() < rate) {
            leakForFaultInjection();
        }
        return scope;
    }

    /** Whether {@link #openScope} would refuse right now; a hint for refusing before any other work is done. */
    /** The share of the adaptive admission limit in use right now, 0 to 1 (1 when it is reached). */
    public double admissionInUseShare() {
        return admission.inUseShare();
    }

    public boolean admissionLimitReached() {
        return admission.limitReached();
    }

    /** Counts an operation refused on the strength of {@link #admissionLimitReached()}, as if by {@link #openScope}. */
    public void countRefusedByAdmissionLimit() {
        rejectedByLimit.increment();
    }

    void endScope(OperationScope scope) {
        try {
            watch.reclaimer().reclaimScope(scope);
        } finally {
            if (scope.outer() == null) {
                SCOPE.remove();
            } else {
                SCOPE.set(scope.outer());
            }
            scope.reportToAdmission();
        }
    }

    /** Runs {@code callback} with a handle in auto-commit mode: one statement, one transaction. */
    public <T> T withHandle(String callSite, HandleCallback<T, RuntimeException> callback) {
        return lend(callSite, callback, () -> jdbi.withHandle(callback));
    }

    /** Runs {@code callback} in one READ COMMITTED transaction that commits when it returns and rolls back when it throws. */
    public <T> T inTransaction(String callSite, HandleCallback<T, RuntimeException> callback) {
        return lend(callSite, callback, () -> jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, callback));
    }

    /** Registers a watcher of pool events (leaks, reclaims, timeouts, reachability). */
    public void addListener(Consumer<PoolEvent> listener) {
        listeners.add(listener);
    }

    void publish(PoolEvent event) {
        for (Consumer<PoolEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("pool event listener failed: {}", e.toString());
            }
        }
    }

    /** True when a trivial query answers within the statement timeout. */
    public boolean ping() {
        try {
            return withHandle("health.ping", h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The schema version this build's migrations bring the database to (empty for a pool that did not migrate). */
    public String schemaVersion() {
        return schemaVersion;
    }

    /**
     * Refuses now with {@link DatabaseBusyException}, counted as {@code pool_saturated}, when a borrow from this thread
     * would be refused so (every connection it may use held by slow work): for work waiting for a connection that
     * another thread borrows for it ({@link BatchedLookup}), which must be told as fast as a borrower would be.
     */
    public void refuseIfSaturated(String callSite) {
        refuseWhenSaturated(callSite);
    }

    /** How long a caller may wait for a connection before it is told the server is overloaded. */
    public java.time.Duration acquireTimeout() {
        return java.time.Duration.ofNanos(acquireTimeoutNanos);
    }

    /** How many operations from outside the admission limit lets in at once right now (it adapts). */
    public int admissionLimit() {
        return admission.limit();
    }

    /** Why PostgreSQL counts as unreachable right now, or null while it answers. */
    public String unreachableReason() {
        return watch.reachability().downReason();
    }

    public PoolSnapshot pool() {
        HikariPoolMXBean bean = dataSource.getHikariPoolMXBean();
        List<HeldLease> held = leases.snapshot();
        if (bean == null) {
            return new PoolSnapshot(0, 0, 0, dataSource.getMaximumPoolSize(), held, leases.suspectedLeaks(),
                    leases.reclaimedLeaks());
        }
        return new PoolSnapshot(bean.getActiveConnections(), bean.getIdleConnections(),
                bean.getThreadsAwaitingConnection(), dataSource.getMaximumPoolSize(), held, leases.suspectedLeaks(),
                leases.reclaimedLeaks());
    }

    // --- fault injection's levers; package-private so that only db.FaultInjection can pull them

    void injectLeakRate(double rate) {
        leakRate = rate;
    }

    void injectQueryLatency(long millis) {
        addedQueryLatencyMillis = millis;
    }

    void forceUnreachable(String reason) {
        watch.reachability().force(reason);
    }

    /** After the database was stopped or started on purpose: look now rather than at the next scheduled probe. */
    void checkReachability() {
        watch.reachability().lookNow();
    }

    /**
     * Borrows a connection outside any callback, opens a transaction on it and never gives it back: a real leak,
     * on purpose, under the call site {@code fault.leak}. Only fault injection calls this.
     */
    void leakForFaultInjection() {
        if (!watch.reachability().reachable()) {
            return;
        }
        try {
            Connection leaked = connections.borrow("fault.leak", SCOPE.get(), null);
            leaked.setAutoCommit(false);
            try (Statement s = leaked.createStatement()) {
                s.execute("SELECT 1");
            }
        } catch (SQLException e) {
            log.debug("fault injection could not leak a connection: {}", e.toString());
        }
    }

    private <T> T lend(String callSite, Object callback, Supplier<T> work) {
        Objects.requireNonNull(callSite, "callSite");
        String down = watch.reachability().downReason();
        if (down != null) {
            throw new DatabaseUnavailableException("database unreachable: " + down);
        }
        refuseWhenSaturated(callSite);
        LeasingConnectionFactory.Frame frame = new LeasingConnectionFactory.Frame(callSite, callback.getClass(),
                SCOPE.get());
        LeasingConnectionFactory.Frame outer = LeasingConnectionFactory.enter(frame);
        try {
            return work.get();
        } catch (JdbiException e) {
            if (frame.lostALeaseToReclaim()) {
                throw new DatabaseBusyException(frame.reclaimReason());
            }
            RuntimeException classified = SqlFailures.classify(e).orElseThrow(() -> e);
            if (classified instanceof DatabaseUnavailableException) {
                watch.reachability().suspect();
                resourceRefusals.report(e);
            }
            throw classified;
        } finally {
            LeasingConnectionFactory.exit(outer);
        }
    }

    /**
     * Every connection lent, and no connection can be expected back within the acquisition deadline: say
     * "overloaded" now instead of after the full wait. Expected either because every holder has already held its
     * connection longer than the deadline (slow or stuck), or because the callers already waiting, served one per
     * returned connection at the average hold time, would use up the deadline before this one's turn.
     */
    private void refuseWhenSaturated(String callSite) {
        // Work inside a scope may use only the scoped connections; work outside one (the writers) the whole pool.
        boolean scoped = SCOPE.get() != null;
        int capacity = scoped ? scopedConnections : dataSource.getMaximumPoolSize();
        if (scoped ? connections.scopedPlacesFree() > 0 : leases.size() < capacity) {
            return;
        }
        List<LeaseRegistry.Held> holders = leases.held().stream().filter(h -> !scoped || h.quota != null).toList();
        HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
        int waiting = scoped ? connections.waitingForScopedConnection()
                : pool == null ? 0 : pool.getThreadsAwaitingConnection();
        if ((waiting + 1) * leases.averageHoldNanos() / capacity > acquireTimeoutNanos) {
            refuseSaturated(callSite);
        }
        long now = System.nanoTime();
        for (LeaseRegistry.Held held : holders) {
            long start = held.lease.startNanos();
            // a hold that spanned a pause of this process is as young as the time that ran since it began
            if (now - start < acquireTimeoutNanos
                    || now - start - pauses.pausedNanos(start, now) < acquireTimeoutNanos) {
                return;
            }
        }
        refuseSaturated(callSite);
    }

    private void refuseSaturated(String callSite) {
        rejectedSaturated.increment();
        publish(new PoolEvent.AcquisitionTimedOut(callSite, 0));
        throw new DatabaseBusyException("every database connection is held by slow work");
    }

    private void acquisitionTimedOut(String callSite, long waitedMillis, SQLTransientConnectionException failure) {
        if (SqlFailures.classify(failure).orElse(null) instanceof DatabaseBusyException) {
            rejectedAcquireTimeout.increment();
            log.warn("{} got no database connection within {} ms", callSite, waitedMillis);
            publish(new PoolEvent.AcquisitionTimedOut(callSite, waitedMillis));
        }
    }

    private static Counter rejections(MeterRegistry meters, String reason) {
        return Counter.builder(MetricNames.DB_OVERLOAD_REJECTIONS)
                .description("Database-bound work answered 503 overloaded, by reason")
                .tag("reason", reason)
                .register(meters);
    }

    @Override
    public void close() {
        watch.close();
        dataSource.close();
        onClose.run();
    }

    /** Pool figures at one instant, with the leases behind {@code active} and the leak counts so far. */
    public record PoolSnapshot(int active, int idle, int pending, int max, List<HeldLease> leases, long suspectedLeaks,
                               long reclaimedLeaks) {

        public boolean exhausted() {
            return active >= max && pending > 0;
        }
    }
}
