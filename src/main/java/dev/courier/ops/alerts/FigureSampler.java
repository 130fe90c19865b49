package dev.courier.ops.alerts;

import dev.courier.config.AlertConfig;
import dev.courier.db.Database;
import dev.courier.db.DatabaseBusyException;
import dev.courier.db.DatabaseUnavailableException;
import dev.courier.db.PoolEvent;
import dev.courier.ops.PoolEventLog;
import dev.courier.ops.RequestWindow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Reads the live figures once per evaluation: the pool as it is now, a probe of the database, the pool's recent
 * reports and the traffic window. Used by the engine's one thread only.
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
    private final Deque<CounterReading> timeoutReadings = new ArrayDeque<>();
    private volatile boolean reachable = true;
    private String unreachableDetail;
    private Instant lastGoodProbe = Instant.EPOCH;

    public FigureSampler(Database database, PoolEventLog events, RequestWindow traffic, MeterRegistry meters,
                         AlertConfig config) {
        this.database = database;
        this.events = events;
        this.traffic = traffic;
        this.meters = meters;
        this.config = config;
    }

    public Figures sample() {
        Instant now = Instant.now();
        Database.PoolSnapshot pool = database.pool();
        probe(pool, now);
        List<PoolEventLog.Stamped> recent = events.since(now, config.eventWindow());
        applyReachabilityReports(recent);
        long timeouts = hikariTimeoutsWithin(now)
                + recent.stream().filter(s -> s.event() instanceof PoolEvent.AcquisitionTimedOut).count();
        int trafficSeconds = (int) config.trafficWindow().toSeconds();
        return new Figures(now, pool, reachable, unreachableDetail, recent, timeouts, traffic.last(trafficSeconds),
                System.nanoTime());
    }

    /**
     * One trivial query through the pool. When every connection is taken the probe would only queue behind the
     * holders and prove nothing about the database, so it is skipped and the last verdict stands; so it does when
     * the pool answers "busy".
     */
    private void probe(Database.PoolSnapshot pool, Instant now) {
        if (pool.active() >= pool.max()) {
            return;
        }
        try {
            database.withHandle("ops.probe", h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            reachable = true;
            unreachableDetail = null;
            lastGoodProbe = now;
        } catch (DatabaseUnavailableException e) {
            reachable = false;
            unreachableDetail = e.getMessage();
        } catch (DatabaseBusyException e) {
            // no verdict: the pool is busy, which other rules report
        }
    }

    /** A report of the pool newer than the last good probe overrides it (the pool sees failures between probes). */
    private void applyReachabilityReports(List<PoolEventLog.Stamped> recent) {
        for (PoolEventLog.Stamped s : recent) {
            if (s.at().isAfter(lastGoodProbe)) {
                if (s.event() instanceof PoolEvent.DatabaseUnreachable down) {
                    reachable = false;
                    unreachableDetail = down.detail();
                } else if (s.event() instanceof PoolEvent.DatabaseReachable) {
                    reachable = true;
                    unreachableDetail = null;
                }
            }
        }
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
