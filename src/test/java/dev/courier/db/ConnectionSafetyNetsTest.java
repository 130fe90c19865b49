package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-connection PostgreSQL settings and the hard-limit reclaim, on a real pool against real PostgreSQL. */
class ConnectionSafetyNetsTest {

    private static final int POOL = 4;

    private Database db;
    private final List<PoolEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        JdbcTarget fresh = TestDatabase.freshDatabase();
        PoolConfig pool = new PoolConfig(POOL, Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(1));
        db = PooledDatabaseFactory.open(new DatabaseTarget(fresh.jdbcUrl(), fresh.user(), fresh.password(), "test"),
                pool, new SimpleMeterRegistry(), () -> { });
        db.addListener(events::add);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void everyPooledConnectionCarriesTheTimeoutsAndKeepalives() throws Exception {
        // Hold all connections at once, so each physical connection of the pool answers once.
        CountDownLatch allHeld = new CountDownLatch(POOL);
        List<Map<String, Object>> settings = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(POOL)) {
            List<Future<Map<String, Object>>> answers = new ArrayList<>();
            for (int i = 0; i < POOL; i++) {
                answers.add(pool.submit(() -> db.withHandle("test.settings", h -> {
                    allHeld.countDown();
                    try {
                        assertThat(allHeld.await(10, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    return h.createQuery("SELECT pg_backend_pid() AS pid,"
                            + " current_setting('statement_timeout') AS st,"
                            + " current_setting('idle_in_transaction_session_timeout') AS iit,"
                            + " current_setting('lock_timeout') AS lt,"
                            + " current_setting('tcp_keepalives_idle') AS ka").mapToMap().one();
                })));
            }
            for (Future<Map<String, Object>> answer : answers) {
                settings.add(answer.get(20, TimeUnit.SECONDS));
            }
        }
        assertThat(settings).extracting(m -> m.get("pid")).doesNotHaveDuplicates().hasSize(POOL);
        assertThat(settings).allSatisfy(m -> {
            assertThat(m.get("st")).isEqualTo("5s");
            assertThat(m.get("iit")).isEqualTo("10s");
            assertThat(m.get("lt")).isEqualTo("2s");
            assertThat(m.get("ka")).isEqualTo("30");
        });
    }

    @Test
    void aLeaseHeldPastTheHardLimitIsTakenBackAndItsHolderFailsClearlyEvenWhenItOnlyWaitsForPostgres() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> db.inTransaction("test.stuck", h -> {
            h.execute("CREATE TABLE IF NOT EXISTS stuck_marker (id int)");
            h.execute("INSERT INTO stuck_marker VALUES (1)");
            return h.createQuery("SELECT pg_sleep(4)").mapTo(String.class).one();
        })).isInstanceOf(DatabaseBusyException.class)
                .hasMessageContaining("test.stuck")
                .hasMessageContaining("taken back");
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        // The holder fails as soon as its backend is gone; the reclaim's own report follows on the reaper thread.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.stream().noneMatch(PoolEvent.LeakReclaimed.class::isInstance) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }

        // Well before pg_sleep(4) would have ended: the reclaim terminated the backend.
        assertThat(tookMillis).isLessThan(3_500);
        // Inside its statement it waited for PostgreSQL: saturation, not a leak; the hard limit takes it back anyway.
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(PoolEvent.SlowHold.class,
                s -> assertThat(s.lease().callSite() + " " + s.cause()).isEqualTo("test.stuck DATABASE")));
        assertThat(events).noneMatch(PoolEvent.LeakSuspected.class::isInstance);
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(PoolEvent.LeakReclaimed.class,
                r -> assertThat(r.lease().callSite()).isEqualTo("test.stuck")));
        // Rolled back: the insert of the reclaimed transaction is gone (the table too, it was created in it).
        boolean tableExists = db.withHandle("test.check", h -> h.createQuery(
                "SELECT to_regclass('stuck_marker') IS NOT NULL").mapTo(Boolean.class).one());
        assertThat(tableExists).isFalse();
        assertThat(db.pool().reclaimedLeaks()).isEqualTo(1);
        System.out.printf("hard-limit reclaim: holder failed after %d ms (limit 1000 ms)%n", tookMillis);
    }

    @Test
    void aConnectionLeakedOutsideAnyScopeIsReportedAtOnceThenReclaimedAndThePoolRefills() throws Exception {
        db.leakForFaultInjection();
        assertThat(db.pool().leases()).extracting(HeldLease::callSite).containsExactly("fault.leak");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (events.stream().noneMatch(PoolEvent.LeakReclaimed.class::isInstance) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        PoolEvent.LeakSuspected suspected = events.stream().filter(PoolEvent.LeakSuspected.class::isInstance)
                .map(PoolEvent.LeakSuspected.class::cast).findFirst().orElseThrow();
        PoolEvent.LeakReclaimed reclaimed = events.stream().filter(PoolEvent.LeakReclaimed.class::isInstance)
                .map(PoolEvent.LeakReclaimed.class::cast).findFirst().orElseThrow();
        // No callback runs with it, so it is a leak as soon as a sweep sees it, before the 300 ms warning threshold.
        assertThat(suspected.heldMillis()).isLessThan(300L);
        assertThat(reclaimed.heldMillis()).isBetween(1_000L, 3_000L);
        assertThat(db.pool().leases()).isEmpty();
        while (db.pool().idle() < POOL && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(db.pool().idle()).isEqualTo(POOL);
        assertThat(db.ping()).isTrue();
        System.out.printf("unscoped leak: reported after %d ms (no threshold), reclaimed after %d ms (limit 1000)%n",
                suspected.heldMillis(), reclaimed.heldMillis());
    }
}
