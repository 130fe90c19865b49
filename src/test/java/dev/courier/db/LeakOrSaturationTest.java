package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A lease held past the warning threshold is judged by what its holder does: waiting for PostgreSQL or for a core is
 * saturation, keeping the connection while doing nothing with it is a leak. A real pool against real PostgreSQL, with
 * the warning threshold lowered so that each case takes a second or two.
 */
class LeakOrSaturationTest {

    private static final Duration WARNING = Duration.ofMillis(500);
    /** Three times the warning threshold: long enough to be judged, short of the hard limit. */
    private static final long HOLD_MILLIS = 1_500;

    private Database db;
    /** A pause of the whole process as the pause detector would declare it, in nanoTime; none unless a test sets it. */
    private volatile long pauseFromNanos;
    private volatile long pauseToNanos;
    private final List<PoolEvent> events = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final List<Logger> watchedLogs = List.of((Logger) LoggerFactory.getLogger(LeaseReclaimer.class),
            (Logger) LoggerFactory.getLogger(SlowHoldLog.class));

    @BeforeEach
    void open() {
        JdbcTarget fresh = TestDatabase.freshDatabase();
        PoolConfig pool = new PoolConfig(4, Duration.ofMillis(250), Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofSeconds(2), WARNING, Duration.ofSeconds(20));
        DatabaseTarget target = new DatabaseTarget(fresh.jdbcUrl(), fresh.user(), fresh.password(), "test");
        PausedTime declared = (from, to) -> Math.max(0, Math.min(pauseToNanos, to) - Math.max(pauseFromNanos, from));
        db = PooledDatabaseFactory.open(target, target, pool, meters, declared, () -> { });
        db.addListener(events::add);
        logged.start();
        watchedLogs.forEach(l -> l.addAppender(logged));
    }

    @AfterEach
    void close() {
        watchedLogs.forEach(l -> l.detachAppender(logged));
        db.close();
    }

    @Test
    void aCallbackWaitingForALongStatementIsReportedAsSaturationNeverAsALeak() {
        db.withHandle("test.slowQuery", h -> h.createQuery("SELECT pg_sleep(1.5)").mapTo(String.class).one());

        PoolEvent.SlowHold slow = onlySlowHoldOf("test.slowQuery");
        assertThat(slow.cause()).isEqualTo(Saturation.DATABASE);
        assertThat(slow.heldMillis()).isBetween(WARNING.toMillis(), HOLD_MILLIS);
        assertNoLeakReported();
        assertThat(logLines()).anySatisfy(line -> assertThat(line)
                .startsWith("saturation, not a leak: test.slowQuery has held a connection for")
                .contains("it waits for PostgreSQL"));
        assertThat(meters.get("courier.db.pool.slow.holds").tag("cause", "database").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void aCallbackThatSleepsWhileHoldingItsConnectionIsReportedAsALeakNamingItsCallSite() {
        db.withHandle("test.sleepy", h -> {
            h.createQuery("SELECT 1").mapTo(Integer.class).one();
            sleep(HOLD_MILLIS);
            return null;
        });

        PoolEvent.LeakSuspected leak = events.stream().filter(PoolEvent.LeakSuspected.class::isInstance)
                .map(PoolEvent.LeakSuspected.class::cast).findFirst().orElseThrow(
                        () -> new AssertionError("no leak reported: " + events));
        assertThat(leak.lease().callSite()).isEqualTo("test.sleepy");
        assertThat(leak.heldMillis()).isBetween(WARNING.toMillis(), HOLD_MILLIS);
        assertThat(events).noneMatch(PoolEvent.SlowHold.class::isInstance);
        assertThat(logLines()).anySatisfy(line -> assertThat(line)
                .startsWith("connection leak suspected: test.sleepy has held a connection for")
                .contains("its thread has done no database work for").contains("timed_waiting"));
        assertThat(db.pool().suspectedLeaks()).isEqualTo(1);
    }

    /**
     * A pause of the whole process (SIGSTOP, a frozen VM) ages every lease by its length although nobody waited for
     * anything: a hold that spanned one is judged by the time that ran, here a tenth of a second of each 1.5 s hold.
     */
    @Test
    void aHoldThatSpannedAPauseOfTheProcessIsNeitherSaturationNorALeak() {
        declarePauseOfTheNext(HOLD_MILLIS - 100);
        db.withHandle("test.pausedStatement", h -> h.createQuery("SELECT pg_sleep(1.5)").mapTo(String.class).one());
        declarePauseOfTheNext(HOLD_MILLIS - 100);
        db.withHandle("test.pausedSleeper", h -> {
            h.createQuery("SELECT 1").mapTo(Integer.class).one();
            sleep(HOLD_MILLIS);
            return null;
        });
        sleep(300);

        assertThat(events).as("judged by the time that ran").noneMatch(PoolEvent.SlowHold.class::isInstance);
        assertNoLeakReported();
    }

    private void declarePauseOfTheNext(long millis) {
        long now = System.nanoTime();
        pauseFromNanos = now;
        pauseToNanos = now + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void aCallbackKeepingItsThreadBusyOnTheCpuIsSaturationNotALeak() {
        db.withHandle("test.busy", h -> {
            h.createQuery("SELECT 1").mapTo(Integer.class).one();
            return spinFor(HOLD_MILLIS);
        });

        assertThat(onlySlowHoldOf("test.busy").cause()).isEqualTo(Saturation.CPU);
        assertNoLeakReported();
    }

    /**
     * As under overload: the holder is a virtual thread, ready to run, but every carrier is taken by other virtual
     * threads that keep their core for longer than the warning threshold.
     */
    @Test
    void aVirtualThreadWaitingForACarrierIsSaturationNotALeak() throws Exception {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        CountDownLatch borrowed = new CountDownLatch(1);
        CountDownLatch everyCarrierBusy = new CountDownLatch(carriers);
        Thread holder = Thread.ofVirtual().start(() -> db.withHandle("test.starved", h -> {
            h.createQuery("SELECT 1").mapTo(Integer.class).one();
            borrowed.countDown();
            await(everyCarrierBusy);
            return null;
        }));
        assertThat(borrowed.await(10, TimeUnit.SECONDS)).isTrue();
        List<Thread> burners = new ArrayList<>();
        for (int i = 0; i < carriers; i++) {
            burners.add(Thread.ofVirtual().start(() -> {
                everyCarrierBusy.countDown();
                spinFor(HOLD_MILLIS);
            }));
        }
        holder.join(Duration.ofSeconds(20));
        for (Thread burner : burners) {
            burner.join(Duration.ofSeconds(20));
        }

        PoolEvent.SlowHold slow = onlySlowHoldOf("test.starved");
        assertThat(slow.cause()).isEqualTo(Saturation.CPU);
        assertNoLeakReported();
    }

    @Test
    void thePoolViewTellsWhetherALeaseIsInsideAStatementAndWhatTheSweepMadeOfIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread slow = Thread.ofVirtual().start(() -> db.withHandle("test.slowQuery",
                h -> h.createQuery("SELECT pg_sleep(1.5)").mapTo(String.class).one()));
        Thread sleepy = Thread.ofVirtual().start(() -> db.withHandle("test.sleepy", h -> {
            h.createQuery("SELECT 1").mapTo(Integer.class).one();
            await(release);
            return null;
        }));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<HeldLease> leases;
        do {
            Thread.sleep(20);
            leases = db.pool().leases();
        } while (!(leases.size() == 2 && leases.stream().allMatch(l -> l.leaking() || l.saturation() != null))
                && System.nanoTime() < deadline);
        release.countDown();
        slow.join(Duration.ofSeconds(10));
        sleepy.join(Duration.ofSeconds(10));

        assertThat(leases).extracting(HeldLease::callSite, HeldLease::inStatement, HeldLease::leaking,
                HeldLease::saturation).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("test.slowQuery", true, false, Saturation.DATABASE),
                org.assertj.core.groups.Tuple.tuple("test.sleepy", false, true, null));
    }

    private PoolEvent.SlowHold onlySlowHoldOf(String callSite) {
        List<PoolEvent.SlowHold> slow = events.stream().filter(PoolEvent.SlowHold.class::isInstance)
                .map(PoolEvent.SlowHold.class::cast).toList();
        assertThat(slow).as("slow holds reported: %s", events).hasSize(1);
        assertThat(slow.getFirst().lease().callSite()).isEqualTo(callSite);
        return slow.getFirst();
    }

    private void assertNoLeakReported() {
        assertThat(events).noneMatch(PoolEvent.LeakSuspected.class::isInstance);
        assertThat(logLines()).noneMatch(line -> line.startsWith("connection leak suspected"));
        assertThat(db.pool().suspectedLeaks()).isZero();
    }

    private List<String> logLines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Keeps this thread on its core, never parking, for {@code millis}. */
    private static long spinFor(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long spins = 0;
        while (System.nanoTime() < end) {
            spins++;
        }
        return spins;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(20, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
