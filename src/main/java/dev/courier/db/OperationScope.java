package dev.courier.db;

/**
 * One unit of work that arrives from outside: an HTTP request or a WebSocket frame. Every connection borrowed on
 * its thread while it is open belongs to it, and any still held when it closes is a leak by definition: it is
 * reported and taken back at once. Opening a scope also takes a place under the admission limit, so excess work
 * is refused before it queues behind the pool.
 *
 * <pre>{@code
 * try (var scope = database.openScope("ws.read")) {
 *     messages.markRead(...);
 * }
 * }</pre>
 *
 * Not thread-safe: open and close it on the same thread.
 */
public final class OperationScope implements AutoCloseable {

    private final String name;
    private final Database database;
    private final OperationScope outer;
    private final Admission.Ticket ticket;
    private boolean closed;
    private boolean refusedForLoad;
    private boolean slowByDesign;

    OperationScope(String name, Database database, OperationScope outer, Admission.Ticket ticket) {
        this.name = name;
        this.database = database;
        this.outer = outer;
        this.ticket = ticket;
    }

    public String name() {
        return name;
    }

    OperationScope outer() {
        return outer;
    }

    /** Tells the admission limit how the operation went. */
    void reportToAdmission() {
        if (refusedForLoad) {
            ticket.dropped();
        } else if (slowByDesign) {
            ticket.ignored();
        } else {
            ticket.completed();
        }
    }

    /**
     * The operation was answered {@code overloaded} after it was admitted (no connection in time, a full message
     * queue): its quick end says nothing about how long admitted work takes, so the admission limit does not count it
     * as a sample.
     */
    public void refusedForLoad() {
        refusedForLoad = true;
    }

    /**
     * The operation is slow on purpose (it hashes a password, which takes tens of milliseconds of CPU by design): how
     * long it takes says nothing about whether the server keeps up, so the admission limit does not learn from it.
     */
    public void slowByDesign() {
        slowByDesign = true;
    }

    /** Ends the scope: takes back what it leaked and frees its admission place. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        database.endScope(this);
    }
}
