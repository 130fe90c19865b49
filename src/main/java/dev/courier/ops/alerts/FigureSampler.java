package dev.courier.ops.alerts;

import dev.courier.bus.BusLink;
import dev.courier.config.AlertConfig;
import dev.courier.db.Database;
import dev.courier.db.PoolEvent;
import dev.courier.ops.PauseDetector;
import dev.courier.ops.PoolEventLog;
import dev.courier.ops.RequestWindow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads the live figures once per evaluation: the pool as it is now, the database's reachability, the pool's recent
 * reports, the traffic window, this process's recent pauses and the bus's connection. Used by the engine's one thread
 * only.
 *
 * <p>Reachability is the pool's verdict ({@link Database#unreachableReason()}), whose probe runs on a connection of
 * its own with a bound on the answer: a probe through the pool would wait for a connection behind the holders when the
 * pool is busy, and on one of the pool's connections for its socket timeout when the database is stopped, and with
 * it the whole engine.
 */
public final class FigureSampler {

    /** HikariCP's own count of callers that waited past the connection timeout. */
    private static final String HIKARI_TIMEOUTS = "hikaricp.connections.timeout";

    private record CounterReading(Instant at, double value) {
    }

    private final Database database;
    private final PoolEventLog events;
    private final RequestWindow traffic;
    private final MeterRegistry meters;
    private final AlertConfig config;
    private final PauseDetector pauses;
    private final Supplier<BusLink> bus;
    private final Deque<CounterReading> timeoutReadings = new ArrayDeque<>();

    public FigureSampler(Database database, PoolEventLog events, RequestWindow traffic, MeterRegistry meters,
                         AlertConfig config, PauseDetector pauses, Supplier<BusLink> bus) {
        this.database = database;
        this.events = events;
        this.traffic = traffic;
        this.meters = meters;
        this.config = config;
        this.pauses = pauses;
        this.bus = bus;
    }

    public Figures sample() {
        Instant now = Instant.now();
        Database.PoolSnapshot pool = database.pool();
        String unreachable = database.unreachableReason();
        List<PoolEventLog.Stamped> recent = events.since(now, config.eventWindow());
        long timeouts = hikariTimeoutsWithin(now)
                + recent.stream().filter(s -> s.event() instanceof PoolEvent.AcquisitionTimedOut).count();
        int trafficSeconds = (int) config.trafficWindow().toSeconds();
        return new Figures(now, pool, unreachable == null, unreachable, recent, timeouts, traffic.last(trafficSeconds),
                System.nanoTime(), pauses.endedWithin(now, config.eventWindow()), bus.get());
    }

    private long hikariTimeoutsWithin(Instant now) {
        double total = meters.find(HIKARI_TIMEOUTS).counters().stream().mapToDouble(Counter::count).sum();
        timeoutReadings.addLast(new CounterReading(now, total));
        Instant oldest = now.minus(config.eventWindow());
        while (timeoutReadings.size() > 1 && timeoutReadings.peekFirst().at().isBefore(oldest)) {
            timeoutReadings.removeFirst();
        }
        return Math.round(total - timeoutReadings.peekFirst().value());
    }
}
