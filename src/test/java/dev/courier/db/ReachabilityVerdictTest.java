package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.testing.ProcessSignals;
import dev.courier.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL frozen (SIGSTOP, bench/faults.sh scenario b) keeps its sockets open and answers nothing: the pool's
 * callers only wait, which looks like a busy database, and they were told "overloaded" until a socket timeout. The
 * reachability probe waits a bounded time for {@code SELECT 1} on a connection of its own, so the verdict comes within
 * about two seconds, traffic or not. A database that is only busy (every pooled connection in a long statement,
 * statements queued behind a lock) answers that probe at once and must never be called unreachable.
 */
class ReachabilityVerdictTest {

    private static final PoolConfig POOL = new PoolConfig(3, Duration.ofMillis(250), Duration.ofSeconds(10),
            Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(30));

    private final List<PoolEvent> events = new CopyOnWriteArrayList<>();

    @Test
    void aFrozenDatabaseIsFoundUnreachableWithinTwoSecondsAndReachableAgainWhenItWakes() throws Exception {
        Path dataDir = Files.createTempDirectory("courier-frozen");
        try (EmbeddedDatabase embedded = EmbeddedDatabase.start(dataDir);
             Database db = PooledDatabaseFactory.open(embedded.target(), POOL, new SimpleMeterRegistry(), () -> { })) {
            db.addListener(events::add);
            assertThat(selectOne(db)).isEqualTo(1);
            long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("pgdata/postmaster.pid")).getFirst()
                    .trim());
            long[] postgres = ProcessSignals.withDescendants(postmaster);

            long frozenAt = System.nanoTime();
            ProcessSignals.send("STOP", postgres);
            try {
                awaitUntil(() -> db.unreachableReason() != null, Duration.ofSeconds(15));
                Duration verdict = Duration.ofNanos(System.nanoTime() - frozenAt);
                System.out.printf("PostgreSQL frozen -> unreachable: %d ms%n", verdict.toMillis());
                assertThat(verdict).as("the probe's bound, not a socket timeout").isLessThan(Duration.ofSeconds(3));
                assertThat(db.unreachableReason()).contains("no answer to SELECT 1 within 1000 ms");
                // the verdict is taken before it is announced (callers are refused first), so the event may trail it
                awaitUntil(() -> events.stream().anyMatch(PoolEvent.DatabaseUnreachable.class::isInstance),
                        Duration.ofSeconds(5));
                // from now on a caller is told at once, and told the truth
                long askedAt = System.nanoTime();
                assertThatThrownBy(() -> selectOne(db)).isInstanceOf(DatabaseUnavailableException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - askedAt)).isLessThan(Duration.ofMillis(500));
            } finally {
                ProcessSignals.send("CONT", postgres);
            }
            awaitUntil(() -> db.unreachableReason() == null, Duration.ofSeconds(15));
            awaitUntil(() -> events.stream().anyMatch(PoolEvent.DatabaseReachable.class::isInstance),
                    Duration.ofSeconds(5));
            assertThat(selectOne(db)).isEqualTo(1);
        }
    }

    @Test
    void aBusyDatabaseWhosePoolIsSaturatedAndWhoseStatementsWaitForALockIsNeverCalledUnreachable() throws Exception {
        JdbcTarget fresh = TestDatabase.freshDatabase();
        try (Database db = PooledDatabaseFactory.open(new DatabaseTarget(fresh.jdbcUrl(), fresh.user(),
                fresh.password(), "test"), POOL, new SimpleMeterRegistry(), () -> { })) {
            db.addListener(events::add);
            List<Thread> holders = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(3);
            try (AutoCloseable lock = TestDatabase.lockTable(fresh, "flyway_schema_history")) {
                // two connections in a 4 s statement, the third waiting 4 s for the lock: the pool is exhausted
                for (int i = 0; i < 2; i++) {
                    holders.add(Thread.ofPlatform().start(() -> {
                        db.withHandle("test.slowStatement", h -> h.createQuery("SELECT pg_sleep(4)")
                                .mapTo(String.class).one());
                        done.countDown();
                    }));
                }
                holders.add(Thread.ofPlatform().start(() -> {
                    db.withHandle("test.lockWait", h -> h.createQuery("SELECT count(*) FROM flyway_schema_history")
                            .mapTo(Long.class).one());
                    done.countDown();
                }));
                Thread.sleep(500);
                long busyRefusals = 0;
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < until) {
                    try {
                        db.withHandle("test.read", h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
                    } catch (DatabaseBusyException busy) {
                        busyRefusals++;
                    }
                    assertThat(db.unreachableReason()).as("a busy database answers").isNull();
                    Thread.sleep(100);
                }
                assertThat(busyRefusals).as("the pool was saturated all along").isPositive();
                Thread.sleep(500);
            }
            assertThat(done.await(15, TimeUnit.SECONDS)).isTrue();
            for (Thread holder : holders) {
                holder.join();
            }
            assertThat(events).noneMatch(PoolEvent.DatabaseUnreachable.class::isInstance);
        }
    }

    private static int selectOne(Database db) {
        return db.withHandle("test.read", h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
