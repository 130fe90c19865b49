package dev.courier.warmup;

import dev.courier.db.Database;
import org.jdbi.v3.core.Handle;

/**
 * The send path's statements on every pooled connection: one rehearsal per connection, in a transaction that is rolled
 * back. PostgreSQL plans a PL/pgSQL function's statements per session, the first time each runs, so a connection the
 * warm-up did not touch would still make the first send that lands on it pay for the planning.
 *
 * <p>For each rehearsal to land on a connection of its own, the ones before it must still be held when it borrows
 * (the pool opens the ones it has not opened yet). They are held by one thread, each borrow nested in the previous
 * one's callback, so that the holder is always doing database work: a connection held by a thread that sits waiting
 * for others would be, by the leak detector's rule, a leak, and the warm-up would raise the false alarm the detector
 * exists not to raise.
 */
public final class DatabaseWarmup implements WarmupStep {

    /** The work rehearsed on each connection, in a transaction that is rolled back after it (a send, in the server). */
    @FunctionalInterface
    public interface Rehearsal {
        void rehearse(Handle h);
    }

    private final Database database;
    private final Rehearsal rehearsal;

    public DatabaseWarmup(Database database, Rehearsal rehearsal) {
        this.database = database;
        this.rehearsal = rehearsal;
    }

    @Override
    public String name() {
        return "the send path's statements on each pooled connection";
    }

    @Override
    public void run(long deadlineNanos) {
        int connections = database.pool().max();
        int rehearsed = rehearseOnNextConnection(1, connections, deadlineNanos);
        if (rehearsed < connections) {
            throw new IllegalStateException(rehearsed + " of " + connections + " connections rehearsed before the "
                    + "deadline");
        }
    }

    /** Rehearses on a newly borrowed connection, then, still holding it, on the next; answers how many rehearsed. */
    private int rehearseOnNextConnection(int nth, int connections, long deadlineNanos) {
        return database.withHandle("startup.warmup", h -> {
            h.begin();
            try {
                rehearsal.rehearse(h);
            } finally {
                h.rollback();
            }
            boolean more = nth < connections && deadlineNanos - System.nanoTime() > 0;
            return more ? 1 + rehearseOnNextConnection(nth + 1, connections, deadlineNanos) : 1;
        });
    }
}
