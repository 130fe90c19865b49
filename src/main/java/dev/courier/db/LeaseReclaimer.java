package dev.courier.db;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds leaked leases and takes them back, which HikariCP will not do. A lease is reported once as a leak (log line
 * with the borrower's stack, metric, {@link PoolEvent.LeakSuspected}) when it outlives its scope or when
 * {@link LeakOrSaturation} judges it leaked; it is taken back when its scope ends or when it passes the hard limit.
 * A lease held past the warning threshold by work that still runs is saturation, reported once as such (a thinned
 * log line, metric, {@link PoolEvent.SlowHold}) and never as a leak.
 *
 * <p>Taking back: the backend is terminated when the holder may still be running a statement (PostgreSQL rolls
 * the transaction back and frees its locks), the physical connection is aborted and evicted from the pool (which
 * opens a fresh one), and the holder's next use of it fails. Only one party removes a lease from the registry, so
 * a lease returned by its holder at the same moment is never taken back.
 */
final class LeaseReclaimer {

    private static final Logger log = LoggerFactory.getLogger(LeaseReclaimer.class);
    private static final int MAX_STACKS_REMEMBERED = 4_096;

    private final LeaseRegistry leases;
    private final HikariDataSource dataSource;
    private final DirectConnector direct;
    private final Consumer<PoolEvent> publish;
    private final LeakOrSaturation judge;
    private final SlowHoldLog slowHolds = new SlowHoldLog();
    private final long hardLimitNanos;
    private final Set<Throwable> stacksLogged = ConcurrentHashMap.newKeySet();

    LeaseReclaimer(LeaseRegistry leases, HikariDataSource dataSource, DirectConnector direct,
                   Consumer<PoolEvent> publish, Duration warning, Duration hardLimit, PausedTime pauses) {
        this.leases = leases;
        this.dataSource = dataSource;
        this.direct = direct;
        this.publish = publish;
        this.judge = new LeakOrSaturation(leases, warning, pauses);
        this.hardLimitNanos = hardLimit.toNanos();
    }

    /**
     * Run every {@link PoolWatch#SWEEP_INTERVAL}: looks at every lease's holder, reports leaks and slow holds, and
     * takes back leases past the hard limit, whatever holds them. Ages leave the process's pauses out (see
     * {@link LeakOrSaturation}): a pause longer than the hard limit must not end healthy transactions.
     */
    void sweep() {
        long now = System.nanoTime();
        for (LeaseRegistry.Held held : leases.held()) {
            long age = judge.ageNanos(held, now);
            if (!held.reported) {
                switch (judge.judge(held, now)) {
                    case LeakOrSaturation.Leak leak -> report(held, age / 1_000_000, leak.why());
                    case LeakOrSaturation.Saturated slow -> reportSlowHold(held, age / 1_000_000, slow.cause(), now);
                    case LeakOrSaturation.Undecided undecided -> { }
                }
            }
            if (age >= hardLimitNanos) {
                reclaim(held, age / 1_000_000, "held past the " + hardLimitNanos / 1_000_000 + " ms limit", true);
            }
        }
    }

    /** The scope has ended, so whatever it still holds has leaked: report it and take it back now. */
    void reclaimScope(OperationScope scope) {
        if (leases.size() == 0) {
            return;
        }
        long now = System.nanoTime();
        for (LeaseRegistry.Held held : leases.held()) {
            if (held.scope == scope) {
                long heldMillis = (now - held.lease.startNanos()) / 1_000_000;
                String why = "outlived its scope " + scope.name();
                report(held, heldMillis, why);
                reclaim(held, heldMillis, why, false);
            }
        }
    }

    /**
     * Reports a lease as leaked, once. Under the lease's lock: the sweep and the ending scope may both find the same
     * leak, and the one that comes second must wait until the report is out, so that every listener hears of the leak
     * before it hears that it was taken back.
     */
    private void report(LeaseRegistry.Held held, long heldMillis, String why) {
        synchronized (held) {
            if (!held.markReported()) {
                return;
            }
            leases.countSuspected();
            Lease lease = held.lease;
            boolean printStack = firstReportOf(lease.borrower());
            log.warn("connection leak suspected: {} has held a connection for {} ms on thread {} ({}); {}",
                    lease.callSite(), heldMillis, lease.thread(), why,
                    printStack ? "borrowed at:" : "borrowed where the stack logged with its first leak shows",
                    printStack ? lease.borrower() : null);
            publish.accept(new PoolEvent.LeakSuspected(lease, heldMillis));
        }
    }

    private void reportSlowHold(LeaseRegistry.Held held, long heldMillis, Saturation cause, long now) {
        if (held.saturation != null) {
            return;
        }
        held.saturation = cause;
        leases.countSlowHold(cause);
        slowHolds.slowHold(held.lease, heldMillis, cause, now);
        publish.accept(new PoolEvent.SlowHold(held.lease, heldMillis, cause));
    }

    /**
     * A leak at 20% of requests reports hundreds of leases a second from one line of code, all with the same stack
     * (one per borrowing location, see {@link BorrowerStacks}): the first report prints it, later ones name it.
     */
    private boolean firstReportOf(Throwable borrower) {
        if (borrower == null || stacksLogged.contains(borrower)) {
            return false;
        }
        if (stacksLogged.size() < MAX_STACKS_REMEMBERED) {
            stacksLogged.add(borrower);
        }
        return true;
    }

    private void reclaim(LeaseRegistry.Held held, long heldMillis, String reason, boolean mayBeRunning) {
        if (!leases.remove(held)) {
            return;
        }
        held.reclaimReason = "the database connection of " + held.lease.callSite() + " was taken back: " + reason;
        held.reclaimed = true;
        Connection connection = held.connection;
        if (!mayBeRunning && !held.inStatement && resetForReuse(connection)) {
            leases.countReclaimed();
            log.warn("reclaimed the connection of {} after {} ms ({}); rolled back, reset and returned to the pool",
                    held.lease.callSite(), heldMillis, reason);
            publish.accept(new PoolEvent.LeakReclaimed(held.lease, heldMillis, reason));
            return;
        }
        try {
            PGConnection physical = connection.unwrap(PGConnection.class);
            if (mayBeRunning && direct.backendPidsAreReal()) {
                terminate(physical.getBackendPID());
            } else if (mayBeRunning) {
                // Behind a transaction pooler the pid is the pooler's own, not a backend's: terminating it could end
                // some other session. A cancel request goes through the pooler to the right backend instead, and the
                // abort below makes the pooler close the server connection, which rolls back its transaction.
                cancel(physical);
            }
            // Closing the socket ends the session; PostgreSQL rolls back whatever transaction it had open.
            ((Connection) physical).abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            log.warn("could not abort the connection of lease {}: {}", held.lease.id(), e.toString());
        }
        dataSource.evictConnection(connection);
        leases.countReclaimed();
        log.warn("reclaimed the connection of {} after {} ms ({}); the pool opens a fresh one",
                held.lease.callSite(), heldMillis, reason);
        publish.accept(new PoolEvent.LeakReclaimed(held.lease, heldMillis, reason));
    }

    /**
     * Makes a leaked connection whose holder is done with it (its scope has ended, no statement runs) as good as new
     * and gives it back to the pool: its transaction rolled back, and everything else its session may have been left
     * with (settings, prepared statements, temporary tables, advisory locks) discarded; the settings Courier gives each
     * connection at start-up stay. The holder's copy is closed, so its next use fails. Cheaper by far than a new
     * connection: where a leak comes with every twentieth request, opening one for each kept the pool short of
     * connections and the message writers waiting for them. False when anything fails: then it is aborted instead.
     */
    private static boolean resetForReuse(Connection connection) {
        try {
            connection.rollback();
            connection.setAutoCommit(true);
            try (Statement discard = connection.createStatement()) {
                discard.execute("DISCARD ALL");
            }
            connection.close();
            return true;
        } catch (SQLException | RuntimeException e) {
            log.debug("could not reset a reclaimed connection for reuse: {}", e.toString());
            return false;
        }
    }

    private static void cancel(PGConnection physical) {
        try {
            ((org.postgresql.core.BaseConnection) physical).cancelQuery();
        } catch (SQLException | RuntimeException e) {
            log.warn("could not cancel the statement of a reclaimed connection: {}", e.toString());
        }
    }

    private void terminate(int pid) {
        try {
            direct.terminateBackend(pid);
        } catch (SQLException e) {
            log.warn("could not terminate backend {} (aborting the connection instead): {}", pid, e.toString());
        }
    }
}
