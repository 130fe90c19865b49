package dev.courier.warmup;

import dev.courier.db.Database;
import dev.courier.messages.SendRehearsal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The send path's statements on every pooled connection: one rehearsal per connection, in a transaction that is rolled
 * back. PostgreSQL plans a PL/pgSQL function's statements per session, the first time each runs, so a connection the
 * warm-up did not touch would still make the first send that lands on it pay for the planning. Every connection is
 * held at once until all have rehearsed, so that each rehearsal lands on a connection of its own (the pool opens the
 * ones it has not opened yet).
 */
public final class DatabaseWarmup implements WarmupStep {

    private final Database database;
    private final SendRehearsal rehearsal;

    public DatabaseWarmup(Database database, SendRehearsal rehearsal) {
        this.database = database;
        this.rehearsal = rehearsal;
    }

    @Override
    public String name() {
        return "the send path's statements on each pooled connection";
    }

    @Override
    public void run(long deadlineNanos) throws InterruptedException {
        int connections = database.pool().max();
        CountDownLatch rehearsed = new CountDownLatch(connections);
        AtomicInteger done = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            threads.add(Thread.ofPlatform().daemon().name("warmup-db-" + i).start(() -> {
                try {
                    database.withHandle("startup.warmup", h -> {
                        h.begin();
                        try {
                            rehearsal.rehearse(h);
                        } finally {
                            h.rollback();
                        }
                        done.incrementAndGet();
                        rehearsed.countDown();
                        // keep this connection until every rehearsal has one, so that none reuses it
                        awaitQuietly(rehearsed, deadlineNanos);
                        return null;
                    });
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    rehearsed.countDown();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        }
        if (done.get() < connections) {
            RuntimeException cause = failure.get();
            throw new IllegalStateException(done.get() + " of " + connections + " connections rehearsed"
                    + (cause == null ? " before the deadline" : ": " + cause), cause);
        }
    }

    private static void awaitQuietly(CountDownLatch latch, long deadlineNanos) {
        try {
            latch.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
