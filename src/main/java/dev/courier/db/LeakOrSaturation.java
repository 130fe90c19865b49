package dev.courier.db;

import java.time.Duration;
import java.util.Locale;

/**
 * Tells a leak from saturation by what the thread holding a lease does. A lease held long is not a leak by itself:
 * on an overloaded machine a lookup of a few milliseconds can wait seconds for a core, and a slow PostgreSQL keeps
 * its callers waiting inside their statements. Both give the connection back once they are served.
 *
 * <ul>
 *   <li>No callback runs with the lease (it was borrowed outside one, or its callback returned without giving it
 *       back): a leak, whatever its age.</li>
 *   <li>Its thread is inside a statement, or parked inside the JDBC driver (a commit, a rollback): it waits for
 *       PostgreSQL.</li>
 *   <li>Its thread is runnable: it runs, or waits for a core.</li>
 *   <li>Otherwise (parked, sleeping, blocked outside the database) it is idle. Seen idle on every sweep for the
 *       warning threshold, with no statement started or ended in between, it holds a connection while doing no
 *       database work: a leak.</li>
 * </ul>
 *
 * A lease past the warning threshold that waits for PostgreSQL or a core is saturation. Idleness is judged from the
 * sweep's own observations, not from the time since the last statement: a sweep that was itself kept from a core
 * for seconds has seen nothing of what the holder did meanwhile, and must look again before it convicts.
 *
 * <p>Ages leave out the time the whole process was paused ({@link PausedTime}): a lease held across a 20 s SIGSTOP
 * waited for nobody, and its holder finishes the moment the process runs again. Counted, it would look like 20 s of
 * saturation, or like a leak, when the cause is the pause, which is reported as such.
 *
 * <p>Not thread-safe: the sweep's one thread calls it, for every lease on every sweep.
 */
final class LeakOrSaturation {

    /** What the sweep makes of a lease this time. */
    sealed interface Verdict {
    }

    record Leak(String why) implements Verdict {
    }

    record Saturated(Saturation cause) implements Verdict {
    }

    /** Within the warning threshold, or idle for less than it: nothing to report yet. */
    record Undecided() implements Verdict {
    }

    private static final Verdict UNDECIDED = new Undecided();

    private final LeaseRegistry leases;
    private final long warnNanos;
    private final PausedTime pauses;

    LeakOrSaturation(LeaseRegistry leases, Duration warning, PausedTime pauses) {
        this.leases = leases;
        this.warnNanos = warning.toNanos();
        this.pauses = pauses;
    }

    /** How long {@code held} has been held by the time that ran, not counting the process's pauses. */
    long ageNanos(LeaseRegistry.Held held, long nowNanos) {
        return sinceUnpaused(held.lease.startNanos(), nowNanos);
    }

    private long sinceUnpaused(long fromNanos, long nowNanos) {
        return nowNanos - fromNanos - pauses.pausedNanos(fromNanos, nowNanos);
    }

    Verdict judge(LeaseRegistry.Held held, long nowNanos) {
        if (!held.callbackRunning) {
            // The sweep may hold a lease returned while it looked. A callback's lease leaves the registry before the
            // callback counts as ended, so one seen ended and still registered was not given back.
            if (!leases.isLent(held)) {
                return UNDECIDED;
            }
            return new Leak(held.lentToCallback ? "its callback returned without giving it back"
                    : "borrowed outside any callback");
        }
        boolean inStatement = held.inStatement;
        Thread.State state = held.thread.getState();
        boolean runnable = state == Thread.State.RUNNABLE;
        if (inStatement || runnable) {
            held.seenIdle = false;
        } else if (!held.seenIdle || held.lastStatementNanos - held.idleSeenSinceNanos > 0) {
            held.seenIdle = true;
            held.idleSeenSinceNanos = nowNanos;
        }
        if (ageNanos(held, nowNanos) < warnNanos) {
            return UNDECIDED;
        }
        if (inStatement) {
            return new Saturated(Saturation.DATABASE);
        }
        if (runnable) {
            // A platform thread reading PostgreSQL's answer outside a statement (a commit) is runnable too. The
            // stack is read once per lease: the cause first seen is the one reported.
            Saturation known = held.saturation;
            return new Saturated(known != null ? known : insideDriver(held.thread) ? Saturation.DATABASE
                    : Saturation.CPU);
        }
        long idleNanos = sinceUnpaused(held.idleSeenSinceNanos, nowNanos);
        if (idleNanos < warnNanos) {
            return UNDECIDED;
        }
        // The stack is read only now, before convicting: a commit or rollback parks inside the driver between
        // statements, and waits for PostgreSQL as much as a statement does.
        if (insideDriver(held.thread)) {
            held.seenIdle = false;
            return new Saturated(Saturation.DATABASE);
        }
        return new Leak("its thread has done no database work for " + idleNanos / 1_000_000 + " ms, "
                + state.name().toLowerCase(Locale.ROOT));
    }

    /** True when {@code thread} is inside the pool or the PostgreSQL driver, i.e. waiting for the database. */
    private static boolean insideDriver(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            String name = frame.getClassName();
            if (name.startsWith("org.postgresql.") || name.startsWith("com.zaxxer.hikari.")) {
                return true;
            }
        }
        return false;
    }
}
