package dev.courier.db;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells operators when PostgreSQL refuses statements for lack of resources (its disk is full, it is out of memory):
 * callers are answered {@code 503 unavailable} like during an outage, but the database still answers, so neither the
 * reachability probe nor its alert says anything. One {@code WARN} line with PostgreSQL's own message, and one
 * {@link PoolEvent.WritesRefused} (the high error rate alert names it), at most every 10 s however many statements
 * fail.
 */
final class ResourceRefusals {

    private static final Logger log = LoggerFactory.getLogger(ResourceRefusals.class);
    private static final long QUIET_NANOS = 10_000_000_000L;

    private final Consumer<PoolEvent> publish;
    private final AtomicLong lastToldNanos = new AtomicLong(System.nanoTime() - QUIET_NANOS);
    private final AtomicLong heldBack = new AtomicLong();

    ResourceRefusals(Consumer<PoolEvent> publish) {
        this.publish = publish;
    }

    /** Reports {@code failure} when PostgreSQL refused it for lack of resources; does nothing otherwise. */
    void report(Throwable failure) {
        SQLException refusal = refusal(failure);
        if (refusal == null) {
            return;
        }
        long now = System.nanoTime();
        long last = lastToldNanos.get();
        if (now - last < QUIET_NANOS || !lastToldNanos.compareAndSet(last, now)) {
            heldBack.incrementAndGet();
            return;
        }
        String detail = refusal.getMessage() + " (" + refusal.getSQLState() + ")";
        long more = heldBack.getAndSet(0);
        log.warn("PostgreSQL refuses writes: {}; answering 503 unavailable{}", detail,
                more == 0 ? "" : " (" + more + " more in the last 10 s)");
        publish.accept(new PoolEvent.WritesRefused(detail));
    }

    private static SQLException refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && SqlFailures.refusesForLackOfResources(sql.getSQLState())) {
                return sql;
            }
        }
        return null;
    }
}
