package dev.courier.ops.incidents;

import dev.courier.db.Database;
import dev.courier.db.FaultInjection;
import dev.courier.db.Lease;
import dev.courier.db.PoolEvent;
import dev.courier.ops.MetricNames;
import dev.courier.ops.alerts.Alert;
import dev.courier.ops.alerts.AlertListener;
import dev.courier.ops.alerts.Figures;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns alerts and the pool's reports into incidents as they happen. A firing alert opens an incident, or joins
 * the one already open; the timeline records firings and resolutions, pool snapshots, leaking call sites, call sites
 * slowed by saturation, reclaims, reachability changes, fault switches and restarts; the incident resolves when its
 * last alert clears, with its measured impact.
 *
 * <p>Evidence from elsewhere comes in through a method named for it: the fault injector reports its switches to
 * {@link #faultSwitched}. Entries reported while no incident is open are kept for a while (bounded) and copied into
 * the next incident, so the switch that caused an incident is in its timeline. Nothing here waits for the database:
 * writes go through {@link IncidentJournal}.
 */
public final class IncidentRecorder implements AlertListener, Consumer<PoolEvent>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IncidentRecorder.class);
    private static final int CONTEXT_KEPT = 20;
    private static final Duration CONTEXT_AGE = Duration.ofMinutes(15);
    private static final Duration SNAPSHOT_EVERY = Duration.ofSeconds(15);
    private static final Duration ADOPTED_GRACE = Duration.ofSeconds(30);
    private static final int STACK_FRAMES = 12;

    /** The incident open in this process. */
    private static final class Open {
        final IncidentJournal.Ref ref;
        final Instant openedAt;
        final Set<String> firing = new HashSet<>();
        final Set<String> namedCallSites = new HashSet<>();
        final Set<String> namedSlowCallSites = new HashSet<>();
        final Map<String, Integer> reclaims = new LinkedHashMap<>();
        Instant lastSnapshot = Instant.EPOCH;
        Instant quietSince;
        /** A person took the incident: its firing alerts stop re-notifying. */
        boolean acknowledged;

        Open(IncidentJournal.Ref ref, Instant openedAt) {
            this.ref = ref;
            this.openedAt = openedAt;
        }
    }

    private final IncidentJournal journal;
    private final ImpactTracker impact;
    private final Deque<TimelineEntry> context = new ArrayDeque<>();
    private Open open;

    public IncidentRecorder(Database database, ImpactTracker impact, MeterRegistry meters) {
        this.journal = new IncidentJournal(database, new IncidentStore());
        this.impact = impact;
        Gauge.builder(MetricNames.INCIDENTS_OPEN, this, r -> r.isOpen() ? 1 : 0)
                .description("1 while an incident is open").register(meters);
        adoptOpenIncident(database);
    }

    /**
     * An incident left open by a previous run of this node (it stopped or crashed during it) continues here with a
     * {@code restart} entry; if no alert fires again within a grace period, it resolves.
     */
    private void adoptOpenIncident(Database database) {
        IncidentStore store = new IncidentStore();
        try {
            database.withHandle("incidents.adopt", store::latestOpen).ifPresent(found -> {
                Instant now = Instant.now();
                Open adopted = new Open(new IncidentJournal.Ref(found.id()), found.openedAt());
                adopted.quietSince = now.plus(ADOPTED_GRACE);
                adopted.acknowledged = found.handling().acknowledgedBy() != null;
                open = adopted;
                impact.begin(found.impact().requests(), found.impact().failedRequests());
                journal.submit(new IncidentJournal.Append(adopted.ref, new TimelineEntry.Restart(now,
                        "Courier restarted while this incident was open")));
            });
            if (open == null) {
                remember(new TimelineEntry.Restart(Instant.now(), "Courier started"));
            }
        } catch (RuntimeException e) {
            log.warn("could not look for an open incident at start: {}", e.toString());
        }
    }

    /** Every switch of the fault injector goes on the open incident's timeline, or into the next one's. */
    public synchronized void faultSwitched(FaultInjection.Change change) {
        FaultInjection.Faults after = change.after();
        // switched by a request of the admin API, on its thread: the entry names that request's trace
        record(TimelineEntry.Traced.ofCurrentRequest(new TimelineEntry.FaultSwitch(change.at(), "fault injection: "
                + after.describe() + " (before: " + change.before().describe() + ")", after.leakRate(),
                after.queryLatencyMs(), after.databaseDown())));
    }

    /** Appends to the open incident, or keeps the entry for the next one. */
    private void record(TimelineEntry entry) {
        if (open != null) {
            append(entry);
        } else {
            remember(entry);
        }
    }

    public synchronized boolean isOpen() {
        return open != null;
    }

    /** A person acknowledged this incident: if it is the one open here, its firing alerts stop re-notifying. */
    public synchronized void acknowledged(long incidentId) {
        if (isOpenHere(incidentId)) {
            open.acknowledged = true;
        }
    }

    /** True when this alert belongs to the incident open here and a person has acknowledged that incident. */
    public synchronized boolean acknowledgedAlert(Alert alert) {
        return open != null && open.acknowledged && open.firing.contains(alert.name());
    }

    /**
     * What became of a person's request to close an incident.
     *
     * @param firing   the incident's alerts still firing here, when it stays open
     * @param measured the impact measured up to now, when this node tracked the incident and it closed
     */
    public record Closing(List<String> firing, Impact measured, Map<String, Integer> reclaimsByCallSite) {

        public boolean refused() {
            return !firing.isEmpty();
        }
    }

    /**
     * A person closes an incident: refused while any of its alerts fires here; otherwise, if it is the incident open
     * here, tracking ends now with its measured impact. An incident this node does not track (left open by a node
     * that is gone) closes with the impact it has stored.
     */
    public synchronized Closing close(long incidentId, Instant at) {
        if (!isOpenHere(incidentId)) {
            return new Closing(List.of(), null, Map.of());
        }
        if (!open.firing.isEmpty()) {
            return new Closing(List.copyOf(open.firing), null, Map.of());
        }
        Impact measured = impact.snapshot(secondsOpen(at));
        impact.stop();
        Map<String, Integer> reclaims = Map.copyOf(open.reclaims);
        journal.submit(new IncidentJournal.Update(open.ref, measured, at));
        log.info("incident {} closed by a person while no alert fired", incidentId);
        open = null;
        return new Closing(List.of(), measured, reclaims);
    }

    private boolean isOpenHere(long incidentId) {
        return open != null && open.ref.id != null && open.ref.id == incidentId;
    }

    @Override
    public synchronized void fired(Alert alert, Figures figures) {
        if (open == null) {
            openIncident(alert, figures.at());
        }
        open.firing.add(alert.name());
        open.quietSince = null;
        append(new TimelineEntry.AlertFiring(figures.at(), alert.name() + ": " + alert.summary(), alert.name(),
                alert.severity(), alert.labels(), alert.runbook()));
        snapshotPool(figures);
        for (Figures.Holder holder : figures.suspectedLeaks()) {
            nameCallSite(holder.callSite(), figures);
        }
        journal.submit(new IncidentJournal.Update(open.ref, impact.snapshot(secondsOpen(figures.at())), null));
    }

    @Override
    public synchronized void resolved(Alert alert, Figures figures) {
        if (open == null) {
            return;
        }
        open.firing.remove(alert.name());
        append(new TimelineEntry.AlertResolved(figures.at(), alert.name() + " resolved after "
                + Duration.between(alert.startsAt(), alert.endsAt()).toSeconds() + " s", alert.name(),
                alert.startsAt()));
    }

    @Override
    public synchronized void evaluated(Figures figures, List<Alert> firing) {
        if (open == null) {
            return;
        }
        for (Figures.Holder holder : figures.suspectedLeaks()) {
            nameCallSite(holder.callSite(), figures);
        }
        if (open.firing.isEmpty() && firing.isEmpty()) {
            if (open.quietSince == null || !figures.at().isBefore(open.quietSince)) {
                resolve(figures);
            }
            return;
        }
        if (!figures.at().isBefore(open.lastSnapshot.plus(SNAPSHOT_EVERY))) {
            snapshotPool(figures);
            journal.submit(new IncidentJournal.Update(open.ref, impact.snapshot(secondsOpen(figures.at())), null));
        }
    }

    @Override
    public synchronized void accept(PoolEvent event) {
        Instant now = Instant.now();
        switch (event) {
            case PoolEvent.LeakSuspected e -> {
                if (open != null && open.namedCallSites.add(e.lease().callSite())) {
                    append(leakEntry(now, e.lease(), e.heldMillis()));
                }
            }
            case PoolEvent.SlowHold e -> {
                // Saturation is evidence for an open incident, never a leak: it names no leaking call site, and an
                // overloaded server reports it for many requests, so it is told once per call site and not kept
                // for the next incident.
                if (open != null && open.namedSlowCallSites.add(e.lease().callSite())) {
                    append(new TimelineEntry.SlowHold(now, e.lease().callSite() + " held a connection for "
                            + e.heldMillis() + " ms on thread " + e.lease().thread() + " while waiting for "
                            + e.cause().label() + ": saturation, not a leak", e.lease().callSite(), e.lease().thread(),
                            e.heldMillis(), e.cause().label()));
                }
            }
            case PoolEvent.LeakReclaimed e -> {
                TimelineEntry entry = new TimelineEntry.LeakReclaimed(now, "reclaimed a connection held "
                        + e.heldMillis() + " ms by " + e.lease().callSite() + " (" + e.reason() + ")",
                        e.lease().callSite(), e.lease().thread(), e.heldMillis(), e.reason());
                if (open == null) {
                    remember(entry);
                } else if (open.reclaims.merge(e.lease().callSite(), 1, Integer::sum) <= 3) {
                    // the first few reclaims per call site tell the story; the count goes into the resolution
                    append(entry);
                }
            }
            case PoolEvent.AcquisitionTimedOut e -> { }
            case PoolEvent.DatabaseUnreachable e -> record(new TimelineEntry.DatabaseUnreachable(now,
                    "PostgreSQL unreachable: " + e.detail(), e.detail()));
            case PoolEvent.DatabaseReachable e -> record(new TimelineEntry.DatabaseReachable(now,
                    "PostgreSQL answers again"));
            // the high error rate it causes is alerted on, and that alert's summary names it
            case PoolEvent.WritesRefused e -> { }
        }
    }

    private void openIncident(Alert alert, Instant at) {
        open = new Open(new IncidentJournal.Ref(null), at);
        impact.begin(0, 0);
        journal.submit(new IncidentJournal.Open(open.ref, alert.name() + ": " + alert.summary(), at));
        Instant oldest = at.minus(CONTEXT_AGE);
        for (TimelineEntry earlier : context) {
            if (!earlier.at().isBefore(oldest)) {
                append(earlier);
            }
        }
        context.clear();
        log.warn("incident opened by {}", alert.name());
    }

    private void resolve(Figures figures) {
        Impact measured = impact.snapshot(secondsOpen(figures.at()));
        impact.stop();
        append(new TimelineEntry.IncidentResolved(figures.at(), "all alerts cleared; incident resolved", measured,
                open.reclaims));
        snapshotPool(figures);
        journal.submit(new IncidentJournal.Update(open.ref, measured, figures.at()));
        log.info("incident resolved after {} s: {} of {} requests failed, {} of {} active users affected",
                measured.durationSeconds(), measured.failedRequests(), measured.requests(), measured.affectedUsers(),
                measured.activeUsers());
        open = null;
    }

    private void nameCallSite(String callSite, Figures figures) {
        if (!open.namedCallSites.add(callSite)) {
            return;
        }
        figures.pool().leases().stream().filter(l -> l.callSite().equals(callSite)).findFirst()
                .ifPresent(held -> append(leakEntry(figures.at(), held.lease(), held.heldMillis(figures.nowNanos()))));
    }

    private static TimelineEntry leakEntry(Instant at, Lease lease, long heldMillis) {
        List<String> frames = lease.borrower() == null ? List.of() : Arrays.stream(lease.borrower().getStackTrace())
                .map(StackTraceElement::toString).limit(STACK_FRAMES).toList();
        return new TimelineEntry.LeakCallSite(at, lease.callSite() + " held a connection for " + heldMillis
                + " ms on thread " + lease.thread(), lease.callSite(), lease.thread(), heldMillis, lease.startedAt(),
                frames);
    }

    private void snapshotPool(Figures figures) {
        if (open.lastSnapshot.equals(figures.at())) {
            return; // several alerts fired in one evaluation: one snapshot tells it
        }
        open.lastSnapshot = figures.at();
        Database.PoolSnapshot pool = figures.pool();
        List<TimelineEntry.PoolSnapshot.Holder> holders = figures.suspectedLeaks().isEmpty()
                ? figures.topHolder().stream().map(IncidentRecorder::holder).toList()
                : figures.suspectedLeaks().stream().map(IncidentRecorder::holder).toList();
        append(new TimelineEntry.PoolSnapshot(figures.at(), "pool: " + pool.active() + " active, " + pool.idle()
                + " idle, " + pool.pending() + " waiting, max " + pool.max(), pool.active(), pool.idle(),
                pool.pending(), pool.max(), holders, figures.databaseReachable()));
    }

    private static TimelineEntry.PoolSnapshot.Holder holder(Figures.Holder h) {
        return new TimelineEntry.PoolSnapshot.Holder(h.callSite(), h.leases(), h.longestHeldMillis());
    }

    private void append(TimelineEntry entry) {
        journal.submit(new IncidentJournal.Append(open.ref, entry));
    }

    private void remember(TimelineEntry entry) {
        if (context.size() == CONTEXT_KEPT) {
            context.removeFirst();
        }
        context.addLast(entry);
    }

    private long secondsOpen(Instant now) {
        return Duration.between(open.openedAt, now).toSeconds();
    }

    /** Waits until everything recorded so far is stored; for shutdown and tests. */
    public boolean flush(Duration timeout) throws InterruptedException {
        return journal.drain(timeout);
    }

    @Override
    public void close() {
        try {
            journal.drain(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        journal.close();
    }
}
