package dev.courier.ops.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.bus.BusLink;
import dev.courier.config.AlertConfig;
import dev.courier.db.Database.PoolSnapshot;
import dev.courier.db.HeldLease;
import dev.courier.db.Lease;
import dev.courier.db.PoolEvent;
import dev.courier.db.Saturation;
import dev.courier.ops.PauseDetector;
import dev.courier.ops.PoolEventLog;
import dev.courier.ops.RequestWindow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every default rule, driven through the engine's public intake with figures of the test's making: each fires on
 * its condition (after its hold time where it has one) and resolves once the condition is gone.
 */
class AlertRulesTest {

    private static final AlertConfig CONFIG = AlertConfig.defaults();
    private static final List<PauseDetector.Pause> NO_PAUSES = List.of();
    private static final BusLink BUS_UP = BusLink.up("postgres", true);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<String> told = new ArrayList<>();
    private AlertEngine engine;
    private PoolEventLog events;
    private Instant t0;
    private long nanos0;

    @BeforeEach
    void setUp() {
        events = new PoolEventLog(meters);
        engine = new AlertEngine(DefaultRules.all(CONFIG), () -> {
            throw new AssertionError("the test supplies figures");
        }, List.of(new AlertListener() {
            @Override
            public void fired(Alert alert, Figures figures) {
                told.add("fired " + alert.name());
            }

            @Override
            public void resolved(Alert alert, Figures figures) {
                told.add("resolved " + alert.name());
            }
        }), Duration.ofSeconds(1), meters);
        t0 = Instant.now();
        nanos0 = System.nanoTime();
    }

    @Test
    void poolSaturatedFiresOnlyAfterThirtySecondsAtMaxAndResolvesWhenAConnectionFrees() {
        List<HeldLease> busy = leases("messages.send", 8, 500);
        engine.evaluate(figures(0, pool(8, 0, 0, busy)));
        engine.evaluate(figures(29, pool(8, 0, 0, busy)));
        assertThat(firing("CourierPoolSaturated")).isEmpty();

        engine.evaluate(figures(30, pool(8, 0, 0, busy)));
        Alert alert = firing("CourierPoolSaturated").orElseThrow();
        assertThat(alert.severity()).isEqualTo(Severity.critical);
        assertThat(alert.summary()).contains("all 8 connections busy").contains("messages.send holds 8");
        assertThat(alert.labels()).containsEntry("call_site", "messages.send");
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/CourierPoolSaturated.md");

        engine.evaluate(figures(31, pool(7, 1, 0, busy.subList(0, 7))));
        assertThat(firing("CourierPoolSaturated")).isEmpty();
        assertThat(told).containsSubsequence("fired CourierPoolSaturated", "resolved CourierPoolSaturated");
    }

    @Test
    void aBreakInSaturationRestartsTheHoldTime() {
        List<HeldLease> busy = leases("messages.send", 8, 500);
        engine.evaluate(figures(0, pool(8, 0, 0, busy)));
        engine.evaluate(figures(20, pool(7, 1, 0, busy)));
        engine.evaluate(figures(21, pool(8, 0, 0, busy)));
        engine.evaluate(figures(40, pool(8, 0, 0, busy)));
        assertThat(firing("CourierPoolSaturated")).isEmpty();
        engine.evaluate(figures(51, pool(8, 0, 0, busy)));
        assertThat(firing("CourierPoolSaturated")).isPresent();
    }

    @Test
    void callersWaitingFiresAfterFiveSecondsOfWaitersAndResolvesWhenNobodyWaits() {
        List<HeldLease> busy = leases("conversations.list", 8, 300);
        engine.evaluate(figures(0, pool(8, 0, 3, busy)));
        assertThat(firing("CourierConnectionWaiters")).isEmpty();
        engine.evaluate(figures(5, pool(8, 0, 3, busy)));
        assertThat(firing("CourierConnectionWaiters").orElseThrow().summary())
                .startsWith("3 callers waiting").contains("conversations.list");
        engine.evaluate(figures(6, pool(8, 0, 0, busy)));
        assertThat(firing("CourierConnectionWaiters")).isEmpty();
    }

    @Test
    void acquisitionTimeoutsFireOnAReportAndResolveWhenTheEventWindowHasPassed() {
        events.accept(new PoolEvent.AcquisitionTimedOut("messages.history", 250));
        engine.evaluate(figuresWithEvents(0, idlePool(), 0));
        Alert alert = firing("CourierAcquisitionTimeouts").orElseThrow();
        assertThat(alert.summary()).contains("1 callers got no database connection").contains("messages.history");

        engine.evaluate(figuresWithEvents(CONFIG.eventWindow().toSeconds() + 1, idlePool(), 0));
        assertThat(firing("CourierAcquisitionTimeouts")).isEmpty();
    }

    @Test
    void leakSuspectedNamesTheCallSiteOfTheLeasesTheSweepReportedAsLeaks() {
        List<HeldLease> held = new ArrayList<>(leaking("drill.leakyExport", 3, 4_000));
        held.addAll(leases("messages.send", 2, 100));
        engine.evaluate(figures(0, pool(5, 3, 0, held)));
        Alert alert = firing("CourierLeakSuspected").orElseThrow();
        assertThat(alert.labels()).containsEntry("call_site", "drill.leakyExport");
        assertThat(alert.summary()).startsWith("connection leak suspected at drill.leakyExport: 3 connections held");

        engine.evaluate(figures(1, pool(2, 6, 0, leases("messages.send", 2, 100))));
        assertThat(firing("CourierLeakSuspected")).isEmpty();
    }

    @Test
    void leakSuspectedAlsoFiresOnThePoolsReportAndResolvesAfterTheEventWindow() {
        Lease lease = leases("accounts.export", 1, 3_000).getFirst().lease();
        events.accept(new PoolEvent.LeakSuspected(lease, 3_000));
        engine.evaluate(figuresWithEvents(0, idlePool(), 0));
        assertThat(firing("CourierLeakSuspected").orElseThrow().labels()).containsEntry("call_site", "accounts.export");
        engine.evaluate(figuresWithEvents(CONFIG.eventWindow().toSeconds() + 1, idlePool(), 0));
        assertThat(firing("CourierLeakSuspected")).isEmpty();
    }

    /** A postmortem quotes this summary beside the timeline's "held 17 ms": the two must read alike. */
    @Test
    void aShortHoldIsToldInMillisecondsAndASingleReportInTheSingular() {
        Lease lease = leases("fault.leak", 1, 17).getFirst().lease();
        events.accept(new PoolEvent.LeakSuspected(lease, 17));
        engine.evaluate(figuresWithEvents(0, idlePool(), 0));

        assertThat(firing("CourierLeakSuspected").orElseThrow().summary())
                .isEqualTo("connection leak suspected at fault.leak: held 17 ms by thread " + lease.thread()
                        + " (1 report)");
    }

    @Test
    void leasesHeldLongByWorkStillRunningFireSaturatedAndNeverLeakSuspected() {
        List<HeldLease> starved = slow("sessions.authenticate", 6, 2_500, Saturation.CPU);
        for (HeldLease held : starved) {
            events.accept(new PoolEvent.SlowHold(held.lease(), 2_000, Saturation.CPU));
        }
        HeldLease waitingForPostgres = slow("messages.history", 1, 2_200, Saturation.DATABASE).getFirst();
        events.accept(new PoolEvent.SlowHold(waitingForPostgres.lease(), 2_000, Saturation.DATABASE));
        List<HeldLease> held = new ArrayList<>(starved);
        held.add(waitingForPostgres);
        engine.evaluate(figuresWithEvents(0, pool(7, 1, 0, held), 0));

        assertThat(firing("CourierLeakSuspected")).isEmpty();
        Alert alert = firing("CourierSaturated").orElseThrow();
        assertThat(alert.severity()).isEqualTo(Severity.warning);
        assertThat(alert.summary()).startsWith("saturation, not a leak: 7 connections held past the leak threshold")
                .contains("6 waiting for CPU, 1 for PostgreSQL").contains("mostly at sessions.authenticate");
        assertThat(alert.labels()).containsEntry("call_site", "sessions.authenticate").containsEntry("cause", "cpu");
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/CourierSaturated.md");

        engine.evaluate(figuresWithEvents(CONFIG.eventWindow().toSeconds() + 1, idlePool(), 0));
        assertThat(firing("CourierSaturated")).isEmpty();
    }

    @Test
    void leakReclaimedFiresWithTheCallSiteAndResolvesAfterTheEventWindow() {
        Lease lease = leases("accounts.export", 1, 30_000).getFirst().lease();
        events.accept(new PoolEvent.LeakReclaimed(lease, 30_000, "held past the reclaim limit"));
        events.accept(new PoolEvent.LeakReclaimed(lease, 30_500, "held past the reclaim limit"));
        engine.evaluate(figuresWithEvents(0, idlePool(), 0));
        Alert alert = firing("CourierLeakReclaimed").orElseThrow();
        assertThat(alert.summary()).startsWith("2 leaked connections reclaimed, mostly from accounts.export");
        engine.evaluate(figuresWithEvents(CONFIG.eventWindow().toSeconds() + 1, idlePool(), 0));
        assertThat(firing("CourierLeakReclaimed")).isEmpty();
    }

    @Test
    void databaseUnreachableFiresAtOnceAndResolvesWhenItAnswers() {
        engine.evaluate(new Figures(t0, idlePool(), false, "database unreachable", List.of(), 0,
                new RequestWindow.Totals(0, 0, 0), nanos0, NO_PAUSES, BUS_UP));
        assertThat(firing("CourierDatabaseUnreachable").orElseThrow().summary())
                .isEqualTo("PostgreSQL does not answer: database unreachable");
        engine.evaluate(figures(1, idlePool()));
        assertThat(firing("CourierDatabaseUnreachable")).isEmpty();
    }

    @Test
    void aPauseOfTheProcessFiresNamingItsLengthAndResolvesWhenTheEventWindowHasPassed() {
        Instant ended = t0.minusSeconds(2);
        PauseDetector.Pause pause = new PauseDetector.Pause(ended, nanos0 - 22_100_000_000L, nanos0 - 2_000_000_000L);
        engine.evaluate(withPausesAndBus(0, List.of(pause), BUS_UP, true));
        Alert alert = firing("CourierProcessPaused").orElseThrow();
        assertThat(alert.severity()).isEqualTo(Severity.warning);
        assertThat(alert.summary()).startsWith("this process was paused for 20.1 s, until ")
                .contains("stopped with SIGSTOP").contains("not counted as saturation or leaks");
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/CourierProcessPaused.md");
        assertThat(engine.firing()).extracting(Alert::name).as("nothing else blamed").containsExactly(
                "CourierProcessPaused");

        engine.evaluate(withPausesAndBus(CONFIG.eventWindow().toSeconds(), List.of(), BUS_UP, true));
        assertThat(firing("CourierProcessPaused")).isEmpty();
    }

    @Test
    void theErrorRateAndTheLatencyNameAPauseAsTheirCause() {
        PauseDetector.Pause pause = new PauseDetector.Pause(t0, nanos0 - 20_000_000_000L, nanos0);
        engine.evaluate(new Figures(t0, idlePool(), true, null, List.of(), 0, new RequestWindow.Totals(200, 7, 30),
                nanos0, List.of(pause), BUS_UP));
        assertThat(firing("CourierHighErrorRate").orElseThrow().summary())
                .endsWith("(7 of 200); this process was paused for 20.0 s (CourierProcessPaused)");
        assertThat(firing("CourierLatencyAboveObjective").orElseThrow().summary())
                .endsWith("; this process was paused for 20.0 s (CourierProcessPaused)");
    }

    @Test
    void aBusDisconnectedForFiveSecondsFiresNamingItAndResolvesWhenItReconnects() {
        BusLink down = new BusLink("nats://127.0.0.1:4222", false, false, t0, "Connection refused");
        engine.evaluate(withPausesAndBus(0, NO_PAUSES, down, true));
        engine.evaluate(withPausesAndBus(4, NO_PAUSES, down, true));
        assertThat(firing("CourierBusDisconnected")).as("a restart that reconnects within seconds").isEmpty();

        engine.evaluate(withPausesAndBus(5, NO_PAUSES, down, true));
        Alert alert = firing("CourierBusDisconnected").orElseThrow();
        assertThat(alert.summary()).startsWith("the bus (nats://127.0.0.1:4222) has been disconnected for 5 s: "
                + "Connection refused;");
        assertThat(alert.labels()).containsEntry("bus", "nats");
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/CourierBusDisconnected.md");

        engine.evaluate(withPausesAndBus(6, NO_PAUSES, BusLink.up("nats://127.0.0.1:4222", false), true));
        assertThat(firing("CourierBusDisconnected")).isEmpty();
        assertThat(told).containsSubsequence("fired CourierBusDisconnected", "resolved CourierBusDisconnected");
    }

    @Test
    void aListenConnectionLostWithTheDatabaseIsLeftToTheDatabaseAlert() {
        BusLink lost = new BusLink("postgres", true, false, t0, "Connection refused");
        for (int second = 0; second <= 10; second++) {
            engine.evaluate(withPausesAndBus(second, NO_PAUSES, lost, false));
        }
        assertThat(firing("CourierDatabaseUnreachable")).isPresent();
        assertThat(firing("CourierBusDisconnected")).isEmpty();
    }

    @Test
    void errorRateFiresAboveOnePercentOfEnoughRequestsAndResolvesBelow() {
        engine.evaluate(traffic(0, new RequestWindow.Totals(10, 5, 0)));
        assertThat(firing("CourierHighErrorRate")).as("too few requests to judge").isEmpty();
        engine.evaluate(traffic(1, new RequestWindow.Totals(1000, 10, 0)));
        assertThat(firing("CourierHighErrorRate")).as("exactly 1 % is not above 1 %").isEmpty();
        engine.evaluate(traffic(2, new RequestWindow.Totals(1000, 11, 0)));
        assertThat(firing("CourierHighErrorRate").orElseThrow().summary())
                .startsWith("1.1 % of requests failed with 5xx over the last 60 s (11 of 1000)");
        engine.evaluate(traffic(3, new RequestWindow.Totals(2000, 11, 0)));
        assertThat(firing("CourierHighErrorRate")).isEmpty();
    }

    @Test
    void latencyAboveObjectiveFiresWhenMoreThanOnePercentAreSlowAndResolvesBelow() {
        engine.evaluate(traffic(0, new RequestWindow.Totals(500, 0, 25)));
        assertThat(firing("CourierLatencyAboveObjective").orElseThrow().summary())
                .startsWith("5.0 % of requests took longer than 500 ms");
        engine.evaluate(traffic(1, new RequestWindow.Totals(500, 0, 2)));
        assertThat(firing("CourierLatencyAboveObjective")).isEmpty();
    }

    @Test
    void theListShowsFiringAlertsFirstThenResolvedOnesNewestFirst() {
        engine.evaluate(new Figures(t0, pool(1, 7, 0, leaking("x.leak", 1, 5_000)), false, "down",
                List.of(), 0, new RequestWindow.Totals(0, 0, 0), nanos0, NO_PAUSES, BUS_UP));
        engine.evaluate(new Figures(t0.plusSeconds(1), idlePool(), false, "down", List.of(), 0,
                new RequestWindow.Totals(0, 0, 0), nanos0, NO_PAUSES, BUS_UP));
        List<Alert> alerts = engine.alerts();
        assertThat(alerts).extracting(Alert::name, Alert::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("CourierDatabaseUnreachable", "firing"),
                org.assertj.core.groups.Tuple.tuple("CourierLeakSuspected", "resolved"));
        assertThat(alerts.get(1).endsAt()).isEqualTo(t0.plusSeconds(1));
        assertThat(alerts.get(0).endsAt()).isNull();
    }

    @Test
    void theRequestWindowCountsOnlyItsLastSeconds() {
        RequestWindow window = new RequestWindow(Duration.ofSeconds(60), Duration.ofMillis(500));
        window.accept(new dev.courier.ops.RequestOutcome(null, 1L, 503, 1_000_000));
        window.accept(new dev.courier.ops.RequestOutcome(null, 1L, 200, 900_000_000));
        window.accept(new dev.courier.ops.RequestOutcome(null, 1L, 200, 1_000_000));
        RequestWindow.Totals now = window.last(60);
        assertThat(now).isEqualTo(new RequestWindow.Totals(3, 1, 1));
    }

    private Optional<Alert> firing(String name) {
        return engine.firing().stream().filter(a -> a.name().equals(name)).findFirst();
    }

    private Figures figures(long second, PoolSnapshot pool) {
        return new Figures(t0.plusSeconds(second), pool, true, null, List.of(), 0,
                new RequestWindow.Totals(0, 0, 0), nanos0, NO_PAUSES, BUS_UP);
    }

    private Figures figuresWithEvents(long second, PoolSnapshot pool, long hikariTimeouts) {
        Instant at = Instant.now().plusSeconds(second);
        List<PoolEventLog.Stamped> recent = events.since(at, CONFIG.eventWindow());
        long timeouts = hikariTimeouts + recent.stream()
                .filter(s -> s.event() instanceof PoolEvent.AcquisitionTimedOut).count();
        return new Figures(at, pool, true, null, recent, timeouts,
                new RequestWindow.Totals(0, 0, 0), nanos0, NO_PAUSES, BUS_UP);
    }

    private Figures withPausesAndBus(long second, List<PauseDetector.Pause> pauses, BusLink bus, boolean reachable) {
        return new Figures(t0.plusSeconds(second), idlePool(), reachable, reachable ? null : "Connection refused",
                List.of(), 0, new RequestWindow.Totals(0, 0, 0), nanos0, pauses, bus);
    }

    private Figures traffic(long second, RequestWindow.Totals totals) {
        return new Figures(t0.plusSeconds(second), idlePool(), true, null, List.of(), 0, totals,
                nanos0, NO_PAUSES, BUS_UP);
    }

    private static PoolSnapshot pool(int active, int idle, int pending, List<HeldLease> leases) {
        return new PoolSnapshot(active, idle, pending, 8, leases, 0, 0);
    }

    private static PoolSnapshot idlePool() {
        return new PoolSnapshot(0, 8, 0, 8, List.of(), 0, 0);
    }

    /** {@code count} leases of one call site, each held {@code heldMillis} as of {@code nanos0}, not judged. */
    private List<HeldLease> leases(String callSite, int count, long heldMillis) {
        return held(callSite, count, heldMillis, false, null);
    }

    /** Leases the leak sweep reported as leaks. */
    private List<HeldLease> leaking(String callSite, int count, long heldMillis) {
        return held(callSite, count, heldMillis, true, null);
    }

    /** Leases the leak sweep saw held past the threshold by work still running, waiting for {@code cause}. */
    private List<HeldLease> slow(String callSite, int count, long heldMillis, Saturation cause) {
        return held(callSite, count, heldMillis, false, cause);
    }

    private List<HeldLease> held(String callSite, int count, long heldMillis, boolean leaking, Saturation cause) {
        List<HeldLease> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new HeldLease(new Lease(i, callSite, "worker-" + i, nanos0 - heldMillis * 1_000_000 - i,
                    t0.minusMillis(heldMillis), new Throwable("borrowed by " + callSite)), false, leaking, cause));
        }
        return out;
    }
}
