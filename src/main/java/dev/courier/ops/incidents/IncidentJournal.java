package dev.courier.ops.incidents;

import dev.courier.db.Database;
import dev.courier.db.DatabaseBusyException;
import dev.courier.db.DatabaseUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes incidents to PostgreSQL from a bounded in-memory queue, in order, on one thread of its own.
 *
 * <p>An incident opens exactly when the database may be down or its pool exhausted, so nothing that records an
 * incident may wait for the database. Writes queue here; while the database is unreachable or busy the head write
 * is retried every {@link #RETRY} until it answers, and everything behind it waits in order. When the queue is
 * full, new timeline entries are dropped and counted on their incident ({@code droppedEntries}); opening and
 * updating an incident are never dropped while there is room, and are the last thing to go.
 */
final class IncidentJournal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IncidentJournal.class);
    static final int CAPACITY = 10_000;
    private static final Duration RETRY = Duration.ofSeconds(1);

    /** An incident as this process knows it; {@code id} is set once its row exists. */
    static final class Ref {
        volatile Long id;
        final AtomicInteger dropped = new AtomicInteger();

        Ref(Long id) {
            this.id = id;
        }
    }

    sealed interface Write permits Open, Append, Update {
        Ref ref();
    }

    record Open(Ref ref, String title, Instant openedAt) implements Write {
    }

    record Append(Ref ref, TimelineEntry entry) implements Write {
    }

    record Update(Ref ref, Impact impact, Instant resolvedAt) implements Write {
    }

    private final Database database;
    private final IncidentStore store;
    private final BlockingQueue<Write> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread writer;
    /** Writes submitted and not yet stored, the one being retried included. */
    private final AtomicInteger pending = new AtomicInteger();

    IncidentJournal(Database database, IncidentStore store) {
        this.database = database;
        this.store = store;
        this.writer = Thread.ofPlatform().daemon().name("courier-incident-journal").start(this::writeLoop);
    }

    void submit(Write write) {
        pending.incrementAndGet();
        if (!queue.offer(write)) {
            pending.decrementAndGet();
            write.ref().dropped.incrementAndGet();
            log.warn("incident journal full ({} writes waiting for the database); dropped a {}", CAPACITY,
                    write.getClass().getSimpleName());
        }
    }

    /** Writes waiting for the database. */
    int backlog() {
        return pending.get();
    }

    /** Waits until every queued write is stored, or the timeout passes; true when the queue drained. */
    boolean drain(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (backlog() > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return backlog() == 0;
    }

    private void writeLoop() {
        try {
            while (true) {
                Write next = queue.take();
                while (!tryWrite(next)) {
                    TimeUnit.MILLISECONDS.sleep(RETRY.toMillis());
                }
                pending.decrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean tryWrite(Write write) {
        try {
            switch (write) {
                case Open open -> open.ref().id = database.withHandle("incidents.open",
                        h -> store.open(h, open.title(), open.openedAt()));
                case Append append -> database.withHandle("incidents.append", h -> {
                    store.append(h, append.ref().id, append.entry());
                    return null;
                });
                case Update update -> database.withHandle("incidents.update", h -> {
                    store.update(h, update.ref().id, update.impact(), update.resolvedAt(),
                            update.ref().dropped.get());
                    return null;
                });
            }
            return true;
        } catch (DatabaseUnavailableException | DatabaseBusyException e) {
            return false;
        } catch (RuntimeException e) {
            // a write the database refuses for another reason would block every write behind it: skip it
            log.error("could not store an incident {}: {}", write.getClass().getSimpleName(), e.toString());
            write.ref().dropped.incrementAndGet();
            return true;
        }
    }

    @Override
    public void close() {
        writer.interrupt();
    }
}
