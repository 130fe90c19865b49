package dev.courier.ops.alerts;

import dev.courier.bus.BusLink;
import dev.courier.config.AlertConfig;
import dev.courier.db.Lease;
import dev.courier.db.PoolEvent;
import dev.courier.db.Saturation;
import dev.courier.ops.PauseDetector;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The alerts every Courier node evaluates. {@code deploy/prometheus/courier-alerts.yml} states the same rules in
 * PromQL for teams that alert from Prometheus; keep the two in step.
 */
public final class DefaultRules {

    /** A bus that comes back within this (a restarted NATS server) has cost a catch-up from the tables, no alert. */
    static final Duration BUS_DOWN_FOR = Duration.ofSeconds(5);
    private static final DateTimeFormatter TIME_OF_DAY = DateTimeFormatter.ofPattern("HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private DefaultRules() {
    }

    public static List<AlertRule> all(AlertConfig config) {
        return all(config, FailedAuditChecks.NONE);
    }

    /** Every rule, {@code CourierAuditFailed} judging the node's latest infrastructure audit. */
    public static List<AlertRule> all(AlertConfig config, FailedAuditChecks audit) {
        // Rules that name a cause come first: alerts that fire in the same evaluation are told in this order, and
        // the first one titles the incident.
        return List.of(
                rule("CourierProcessPaused", Severity.warning, Duration.ZERO, DefaultRules::processPaused),
                rule("CourierLeakSuspected", Severity.critical, Duration.ZERO, DefaultRules::leakSuspected),
                rule("CourierDatabaseUnreachable", Severity.critical, Duration.ZERO, DefaultRules::unreachable),
                rule("CourierBusDisconnected", Severity.warning, BUS_DOWN_FOR, DefaultRules::busDisconnected),
                rule("CourierPoolSaturated", Severity.critical, config.saturationFor(), DefaultRules::poolSaturated),
                rule("CourierSaturated", Severity.warning, Duration.ZERO, DefaultRules::saturated),
                rule("CourierLeakReclaimed", Severity.warning, Duration.ZERO, DefaultRules::leakReclaimed),
                rule("CourierAcquisitionTimeouts", Severity.warning, Duration.ZERO, DefaultRules::timeouts),
                rule("CourierConnectionWaiters", Severity.warning, config.waitingFor(), DefaultRules::waiters),
                rule("CourierHighErrorRate", Severity.critical, Duration.ZERO, f -> errorRate(f, config)),
                rule("CourierLatencyAboveObjective", Severity.warning, Duration.ZERO, f -> latency(f, config)),
                rule("CourierAuditFailed", Severity.warning, Duration.ZERO, f -> auditFailed(audit)));
    }

    private static AlertRule rule(String name, Severity severity, Duration holdFor,
                                  Function<Figures, Optional<Finding>> check) {
        return new AlertRule() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Severity severity() {
                return severity;
            }

            @Override
            public Duration holdFor() {
                return holdFor;
            }

            @Override
            public Optional<Finding> check(Figures figures) {
                return check.apply(figures);
            }
        };
    }

    static Optional<Finding> poolSaturated(Figures f) {
        if (f.pool().max() == 0 || f.pool().active() < f.pool().max()) {
            return Optional.empty();
        }
        String summary = "connection pool saturated: all " + f.pool().max() + " connections busy, "
                + f.pool().pending() + " callers waiting" + heldBy(f);
        return Optional.of(new Finding(summary, callSiteLabel(f)));
    }

    static Optional<Finding> waiters(Figures f) {
        if (f.pool().pending() == 0) {
            return Optional.empty();
        }
        return Optional.of(new Finding(f.pool().pending() + " callers waiting for a database connection ("
                + f.pool().active() + " of " + f.pool().max() + " busy)" + heldBy(f), callSiteLabel(f)));
    }

    static Optional<Finding> timeouts(Figures f) {
        if (f.acquisitionTimeouts() == 0) {
            return Optional.empty();
        }
        List<PoolEvent.AcquisitionTimedOut> named = f.eventsOf(PoolEvent.AcquisitionTimedOut.class);
        String site = named.isEmpty() ? null : mostFrequent(named.stream().map(PoolEvent.AcquisitionTimedOut::callSite)
                .toList());
        String summary = f.acquisitionTimeouts() + " callers got no database connection within the deadline"
                + (site == null ? "" : " (mostly " + site + ")") + heldBy(f);
        return Optional.of(new Finding(summary, callSiteLabel(f)));
    }

    static Optional<Finding> leakSuspected(Figures f) {
        List<Figures.Holder> live = f.suspectedLeaks();
        if (!live.isEmpty()) {
            Figures.Holder worst = live.getFirst();
            String summary = "connection leak suspected at " + worst.callSite() + ": " + worst.leases()
                    + (worst.leases() == 1 ? " connection" : " connections") + " held, the oldest for "
                    + seconds(worst.longestHeldMillis()) + " by thread " + worst.thread()
                    + (live.size() > 1 ? " (also " + live.subList(1, live.size()).stream()
                    .map(Figures.Holder::callSite).collect(Collectors.joining(", ")) + ")" : "");
            return Optional.of(new Finding(summary, Map.of("call_site", worst.callSite())));
        }
        List<PoolEvent.LeakSuspected> reported = f.eventsOf(PoolEvent.LeakSuspected.class);
        if (reported.isEmpty()) {
            return Optional.empty();
        }
        Lease lease = reported.getLast().lease();
        return Optional.of(new Finding("connection leak suspected at " + lease.callSite() + ": held "
                + seconds(reported.getLast().heldMillis()) + " by thread " + lease.thread() + " ("
                + reported.size() + (reported.size() == 1 ? " report)" : " reports)"),
                Map.of("call_site", lease.callSite())));
    }

    /**
     * Connections held past the leak threshold by work that still runs: the server is short of CPU or PostgreSQL is
     * slow. Said apart from a leak, so that nobody hunts for a missing {@code close()} while the machine is overloaded.
     */
    static Optional<Finding> saturated(Figures f) {
        List<PoolEvent.SlowHold> reported = f.eventsOf(PoolEvent.SlowHold.class);
        if (reported.isEmpty()) {
            return Optional.empty();
        }
        String site = mostFrequent(reported.stream().map(s -> s.lease().callSite()).toList());
        long cpu = reported.stream().filter(s -> s.cause() == Saturation.CPU).count();
        long database = reported.size() - cpu;
        Saturation cause = cpu >= database ? Saturation.CPU : Saturation.DATABASE;
        return Optional.of(new Finding("saturation, not a leak: " + reported.size() + " connections held past the"
                + " leak threshold by work still running (" + cpu + " waiting for CPU, " + database
                + " for PostgreSQL), mostly at " + site, Map.of("call_site", site, "cause", cause.label())));
    }

    static Optional<Finding> leakReclaimed(Figures f) {
        List<PoolEvent.LeakReclaimed> reclaimed = f.eventsOf(PoolEvent.LeakReclaimed.class);
        if (reclaimed.isEmpty()) {
            return Optional.empty();
        }
        String site = mostFrequent(reclaimed.stream().map(r -> r.lease().callSite()).toList());
        return Optional.of(new Finding(reclaimed.size() + " leaked connections reclaimed, mostly from " + site
                + " (" + reclaimed.getLast().reason() + ")", Map.of("call_site", site)));
    }

    /**
     * The whole process stopped running for a second or more. Everything it was doing when it stopped resumes late,
     * which the other rules would read as the database, the pool or the load being slow; this one names the pause.
     */
    static Optional<Finding> processPaused(Figures f) {
        List<PauseDetector.Pause> pauses = f.pauses();
        if (pauses.isEmpty()) {
            return Optional.empty();
        }
        PauseDetector.Pause longest = pauses.stream().max(Comparator.comparing(PauseDetector.Pause::duration))
                .orElseThrow();
        return Optional.of(Finding.of("this process was paused for " + longest.seconds() + ", until "
                + TIME_OF_DAY.format(longest.endedAt()) + " UTC: not scheduled at all (stopped with SIGSTOP, its VM or"
                + " container frozen, swapped out, or a stop-the-world collection), so it answered nothing and its"
                + " streams went silent; connections held across it are not counted as saturation or leaks"
                + (pauses.size() > 1 ? " (" + pauses.size() + " pauses in the last "
                + Duration.between(pauses.getFirst().endedAt(), f.at()).toSeconds() + " s)" : "")));
    }

    /**
     * The node's bus has been down for {@link #BUS_DOWN_FOR}. Quiet while PostgreSQL is unreachable if the bus is
     * LISTEN/NOTIFY: its connection is lost with the database, which {@code CourierDatabaseUnreachable} names.
     */
    static Optional<Finding> busDisconnected(Figures f) {
        BusLink bus = f.bus();
        if (bus.connected() || bus.throughDatabase() && !f.databaseReachable()) {
            return Optional.empty();
        }
        long seconds = Math.max(0, Duration.between(bus.downSince(), f.at()).toSeconds());
        return Optional.of(new Finding("the bus (" + bus.bus() + ") has been disconnected for " + seconds + " s"
                + (bus.reason() == null ? "" : ": " + bus.reason()) + "; this node's streams get the other nodes'"
                + " messages only from the catch-up from the tables, seconds late, and their typing and presence not"
                + " at all", Map.of("bus", bus.throughDatabase() ? "postgres" : "nats")));
    }

    static Optional<Finding> unreachable(Figures f) {
        if (f.databaseReachable()) {
            return Optional.empty();
        }
        return Optional.of(Finding.of("PostgreSQL does not answer: "
                + (f.unreachableDetail() == null ? "no detail" : f.unreachableDetail())));
    }

    static Optional<Finding> errorRate(Figures f, AlertConfig config) {
        var t = f.traffic();
        if (t.requests() < config.minimumRequests() || t.errorShare() <= config.errorRateThreshold()) {
            return Optional.empty();
        }
        List<PoolEvent.WritesRefused> refused = f.eventsOf(PoolEvent.WritesRefused.class);
        String cause = !f.databaseReachable() ? "; the database does not answer"
                : !refused.isEmpty() ? "; PostgreSQL refuses writes: " + refused.getLast().detail()
                : !f.pauses().isEmpty() ? pausedWithin(f)
                : f.pool().active() >= f.pool().max() ? "; the connection pool is exhausted" + heldBy(f) : "";
        return Optional.of(Finding.of(String.format(java.util.Locale.ROOT,
                "%.1f %% of requests failed with 5xx over the last %d s (%d of %d)%s", 100 * t.errorShare(),
                config.trafficWindow().toSeconds(), t.errors(), t.requests(), cause)));
    }

    static Optional<Finding> latency(Figures f, AlertConfig config) {
        var t = f.traffic();
        if (t.requests() < config.minimumRequests() || t.slowShare() <= 1 - config.latencyTarget()) {
            return Optional.empty();
        }
        return Optional.of(Finding.of(String.format(java.util.Locale.ROOT,
                "%.1f %% of requests took longer than %d ms over the last %d s (objective: %.1f %% within it)%s",
                100 * t.slowShare(), config.latencyObjective().toMillis(), config.trafficWindow().toSeconds(),
                100 * config.latencyTarget(), f.pauses().isEmpty() ? "" : pausedWithin(f))));
    }

    /**
     * Not a live figure: the latest audit's verdict, which stands until the next audit. A risk that has not struck
     * yet (too few connection slots, no webhook), hence a warning.
     */
    static Optional<Finding> auditFailed(FailedAuditChecks audit) {
        List<String> failed = audit.failed();
        if (failed.isEmpty()) {
            return Optional.empty();
        }
        String first = failed.getFirst();
        String check = first.contains(":") ? first.substring(0, first.indexOf(':')) : first;
        return Optional.of(new Finding("infrastructure audit failed " + failed.size() + " check"
                + (failed.size() == 1 ? "" : "s") + ": " + String.join("; ", failed), Map.of("check", check)));
    }

    /** Requests that were in the process while it was paused were answered late, or refused once it ran again. */
    private static String pausedWithin(Figures f) {
        PauseDetector.Pause longest = f.pauses().stream().max(Comparator.comparing(PauseDetector.Pause::duration))
                .orElseThrow();
        return "; this process was paused for " + longest.seconds() + " (CourierProcessPaused)";
    }

    private static String heldBy(Figures f) {
        return f.topHolder().map(h -> "; " + h.callSite() + " holds " + h.leases() + " (the oldest for "
                + seconds(h.longestHeldMillis()) + ")").orElse("");
    }

    private static Map<String, String> callSiteLabel(Figures f) {
        return f.topHolder().map(h -> Map.of("call_site", h.callSite())).orElse(Map.of());
    }

    private static String mostFrequent(List<String> values) {
        Map<String, Long> counts = values.stream().collect(Collectors.groupingBy(v -> v, LinkedHashMap::new,
                Collectors.counting()));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("unknown");
    }

    /** A hold as people read it: milliseconds below a second, where "0.0 s" would hide a 17 ms hold. */
    private static String seconds(long millis) {
        return millis < 1_000 ? millis + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
