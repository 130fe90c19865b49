package dev.courier.ops.alerts;

import dev.courier.bus.BusLink;
import dev.courier.db.Database.PoolSnapshot;
import dev.courier.db.HeldLease;
import dev.courier.ops.PauseDetector;
import dev.courier.ops.PoolEventLog;
import dev.courier.ops.RequestWindow;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The live figures the rules judge, sampled at one instant.
 *
 * @param pool                 active, idle, pending, max and the leases behind active, with the leak sweep's verdicts
 * @param databaseReachable    false while the database does not answer
 * @param unreachableDetail    why, when it does not
 * @param events               the pool's reports within the event window, oldest first
 * @param acquisitionTimeouts  callers that got no connection in time, within the event window
 * @param traffic              requests, 5xx and slow requests within the traffic window
 * @param nowNanos             {@link System#nanoTime()} at sampling, to age the leases
 * @param pauses               pauses of this process that ended within the event window, oldest first
 * @param bus                  the node's connection to the other nodes
 */
public record Figures(Instant at, PoolSnapshot pool, boolean databaseReachable, String unreachableDetail,
                      List<PoolEventLog.Stamped> events, long acquisitionTimeouts, RequestWindow.Totals traffic,
                      long nowNanos, List<PauseDetector.Pause> pauses, BusLink bus) {

    /** The call site holding the most connections, with how many and the longest hold. */
    public record Holder(String callSite, int leases, long longestHeldMillis, String thread) {
    }

    public Optional<Holder> topHolder() {
        return holders(pool.leases()).stream().findFirst();
    }

    /**
     * Leases the leak sweep reported as leaks, grouped by call site, the worst first. Age alone does not make a
     * leak: a lease held long by work still running is saturation.
     */
    public List<Holder> suspectedLeaks() {
        return holders(pool.leases().stream().filter(HeldLease::leaking).toList());
    }

    private List<Holder> holders(List<HeldLease> leases) {
        Map<String, List<HeldLease>> bySite = leases.stream().collect(Collectors.groupingBy(HeldLease::callSite));
        return bySite.entrySet().stream().map(e -> {
            HeldLease oldest = e.getValue().stream().min(Comparator.comparingLong(l -> l.lease().startNanos()))
                    .orElseThrow();
            return new Holder(e.getKey(), e.getValue().size(), oldest.heldMillis(nowNanos), oldest.lease().thread());
        }).sorted(Comparator.comparingInt(Holder::leases).reversed()
                .thenComparing(Comparator.comparingLong(Holder::longestHeldMillis).reversed())).toList();
    }

    public <T> List<T> eventsOf(Class<T> type) {
        return events.stream().map(PoolEventLog.Stamped::event).filter(type::isInstance).map(type::cast).toList();
    }
}
