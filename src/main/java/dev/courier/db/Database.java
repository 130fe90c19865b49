package dev.courier.db;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The only door to a database connection. A {@link Handle} exists only for the length of a callback, and each
 * borrow is registered under the name of the operation that asked for it, so a connection held too long has a
 * name. Failures of the pool or the database leave as {@link DatabaseBusyException} or
 * {@link DatabaseUnavailableException}; anything else propagates unchanged.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final LeaseRegistry leases;
    private final Runnable onClose;
    private final List<Consumer<PoolEvent>> listeners = new CopyOnWriteArrayList<>();

    Database(HikariDataSource dataSource, Jdbi jdbi, LeaseRegistry leases, Runnable onClose) {
        this.dataSource = dataSource;
        this.jdbi = jdbi;
        this.leases = leases;
        this.onClose = onClose;
    }

    /** Runs {@code callback} with a handle in auto-commit mode: one statement, one transaction. */
    public <T> T withHandle(String callSite, HandleCallback<T, RuntimeException> callback) {
        return lend(callSite, () -> jdbi.withHandle(callback));
    }

    /** Runs {@code callback} in one READ COMMITTED transaction that commits when it returns and rolls back when it throws. */
    public <T> T inTransaction(String callSite, HandleCallback<T, RuntimeException> callback) {
        return lend(callSite, () -> jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, callback));
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
                org.slf4j.LoggerFactory.getLogger(Database.class).warn("pool event listener failed: {}", e.toString());
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

    public PoolSnapshot pool() {
        HikariPoolMXBean bean = dataSource.getHikariPoolMXBean();
        if (bean == null) {
            return new PoolSnapshot(0, 0, 0, dataSource.getMaximumPoolSize(), leases.snapshot());
        }
        return new PoolSnapshot(bean.getActiveConnections(), bean.getIdleConnections(),
                bean.getThreadsAwaitingConnection(), dataSource.getMaximumPoolSize(), leases.snapshot());
    }

    private <T> T lend(String callSite, java.util.function.Supplier<T> work) {
        Objects.requireNonNull(callSite, "callSite");
        String outer = LeasingConnectionFactory.enter(callSite);
        try {
            return work.get();
        } catch (JdbiException e) {
            throw SqlFailures.classify(e).orElseThrow(() -> e);
        } finally {
            LeasingConnectionFactory.exit(outer);
        }
    }

    @Override
    public void close() {
        dataSource.close();
        onClose.run();
    }

    /** Pool figures at one instant, with the leases behind {@code active}. */
    public record PoolSnapshot(int active, int idle, int pending, int max, List<Lease> leases) {

        public boolean exhausted() {
            return active >= max && pending > 0;
        }
    }
}
