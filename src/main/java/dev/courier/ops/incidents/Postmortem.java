package dev.courier.ops.incidents;

import dev.courier.db.FaultInjection;
import dev.courier.ops.incidents.TimelineEntry.AlertFiring;
import dev.courier.ops.incidents.TimelineEntry.AlertResolved;
import dev.courier.ops.incidents.TimelineEntry.DatabaseReachable;
import dev.courier.ops.incidents.TimelineEntry.DatabaseUnreachable;
import dev.courier.ops.incidents.TimelineEntry.FaultSwitch;
import dev.courier.ops.incidents.TimelineEntry.IncidentResolved;
import dev.courier.ops.incidents.TimelineEntry.LeakCallSite;
import dev.courier.ops.incidents.TimelineEntry.LeakReclaimed;
import dev.courier.ops.incidents.TimelineEntry.PoolSnapshot;
import dev.courier.ops.incidents.TimelineEntry.Restart;
import dev.courier.ops.incidents.TimelineEntry.SlowHold;
import dev.courier.ops.incidents.TimelineEntry.Unknown;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A postmortem in Markdown, filled in from an incident's recorded evidence (its impact, its timeline, the call sites
 * that leaked or were slowed by saturation, the reachability of the database and the fault switches) and from what
 * people recorded on it: who acknowledged and closed it, their notes, actions and status updates, and the root
 * cause, lessons and corrective actions they wrote. Nothing in it is guessed; what people have not written yet is
 * marked as such, and Courier's own reading of the evidence stays beside theirs.
 */
public final class Postmortem {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Postmortem() {
    }

    /** What the evidence says caused the incident. */
    private enum CauseKind { LEAK, DATABASE_DOWN, FAULT, SATURATION, OTHER }

    private record Cause(CauseKind kind, String statement) {
    }

    /** The timeline sorted by what each kind of entry can tell about the cause and the recovery, in time order. */
    private record Evidence(List<AlertFiring> alerts, List<AlertResolved> clearedAlerts, List<LeakCallSite> leaks,
                            List<LeakReclaimed> reclaims, List<SlowHold> slowHolds,
                            List<DatabaseUnreachable> unreachable, List<DatabaseReachable> reachable,
                            List<FaultSwitch> faultSwitches, int mostWaiting,
                            List<TimelineEntry.StatusUpdate> statusUpdates) {

        static Evidence of(List<TimelineEntry> timeline) {
            List<AlertFiring> alerts = new ArrayList<>();
            List<AlertResolved> clearedAlerts = new ArrayList<>();
            List<LeakCallSite> leaks = new ArrayList<>();
            List<LeakReclaimed> reclaims = new ArrayList<>();
            List<SlowHold> slowHolds = new ArrayList<>();
            List<DatabaseUnreachable> unreachable = new ArrayList<>();
            List<DatabaseReachable> reachable = new ArrayList<>();
            List<FaultSwitch> faultSwitches = new ArrayList<>();
            int mostWaiting = 0;
            List<TimelineEntry.StatusUpdate> statusUpdates = new ArrayList<>();
            for (TimelineEntry each : timeline) {
                TimelineEntry entry = TimelineEntry.Traced.untraced(each);
                switch (entry) {
                    case AlertFiring e -> alerts.add(e);
                    case AlertResolved e -> clearedAlerts.add(e);
                    case LeakCallSite e -> leaks.add(e);
                    case LeakReclaimed e -> reclaims.add(e);
                    case SlowHold e -> slowHolds.add(e);
                    case DatabaseUnreachable e -> unreachable.add(e);
                    case DatabaseReachable e -> reachable.add(e);
                    case FaultSwitch e -> faultSwitches.add(e);
                    case PoolSnapshot e -> mostWaiting = Math.max(mostWaiting, e.pending());
                    case TimelineEntry.StatusUpdate e -> statusUpdates.add(e);
                    // shown in the timeline; they name no cause and no recovery
                    case IncidentResolved e -> { }
                    case TimelineEntry.Acknowledged e -> { }
                    case TimelineEntry.Note e -> { }
                    case TimelineEntry.Action e -> { }
                    case Restart e -> { }
                    case Unknown e -> { }
                    case TimelineEntry.Traced e -> { }  // unwrapped above
                }
            }
            return new Evidence(alerts, clearedAlerts, leaks, reclaims, slowHolds, unreachable, reachable,
                    faultSwitches, mostWaiting, statusUpdates);
        }
    }

    public static String markdown(Incident incident) {
        List<TimelineEntry> timeline = incident.timeline() == null ? List.of() : incident.timeline();
        Evidence evidence = Evidence.of(timeline);
        Cause cause = cause(incident, evidence);
        StringBuilder md = new StringBuilder();
        Incident.Handling people = incident.handling();
        md.append("# Postmortem").append(finished(people) ? "" : " draft").append(": incident ")
                .append(incident.id()).append("\n\n");
        md.append("_").append(incident.title()).append("_\n\n");

        md.append("## Issue Summary\n\n");
        Impact impact = incident.impact();
        md.append("- **Duration:** ").append(duration(impact.durationSeconds())).append(" (from ")
                .append(TIME.format(incident.openedAt())).append(" to ")
                .append(incident.resolvedAt() == null ? "now; still open" : TIME.format(incident.resolvedAt()))
                .append(")\n");
        md.append("- **Impact:** ").append(impact(impact)).append("\n");
        if (people.rootCause() != null && !people.rootCause().isBlank()) {
            md.append("- **Root cause:** ").append(oneLine(people.rootCause())).append("\n");
            md.append("- **Courier's reading of the evidence:** ").append(cause.statement()).append("\n");
        } else {
            md.append("- **Root cause:** ").append(cause.statement()).append(" _(Courier's reading of the evidence; "
                    + "the people working the incident have not written theirs yet.)_\n");
        }
        detection(evidence, cause).ifPresent(d -> md.append("- **Detection:** ").append(d).append("\n"));
        md.append("- **Response:** ").append(response(incident, evidence)).append("\n");
        if (incident.droppedEntries() > 0) {
            md.append("- **Note:** ").append(incident.droppedEntries())
                    .append(" timeline entries were lost while the database was unreachable.\n");
        }

        md.append("\n## Timeline\n\n");
        md.append("All times UTC.\n\n");
        for (TimelineEntry each : timeline) {
            TimelineEntry entry = TimelineEntry.Traced.untraced(each);
            md.append("- ").append(TIME.format(entry.at()).replace(" UTC", "")).append(" — **")
                    .append(TimelineRow.kindOf(entry)).append("**").append(signature(entry)).append(" — ")
                    .append(oneLine(said(entry)))
                    .append(each instanceof TimelineEntry.Traced traced ? " (trace `" + traced.traceId() + "`)" : "")
                    .append("\n");
        }

        md.append("\n## Root Cause and Resolution\n\n");
        if (people.rootCause() != null && !people.rootCause().isBlank()) {
            md.append(people.rootCause().strip()).append("\n\n");
            md.append("What Courier recorded: ");
        }
        md.append(cause.statement()).append("\n\n");
        // any leak makes the cause a leak, so these stacks are the evidence for the statement above
        for (LeakCallSite leak : evidence.leaks()) {
            if (!leak.stack().isEmpty()) {
                md.append("Where `").append(leak.callSite()).append("` borrowed the connection it kept:\n\n```\n");
                leak.stack().forEach(frame -> md.append("at ").append(frame).append("\n"));
                md.append("```\n\n");
            }
        }
        md.append(resolution(incident, evidence)).append("\n");
        if (people.resolvedBy() != null) {
            md.append("\n").append(people.resolvedBy()).append(" closed the incident: ")
                    .append(oneLine(people.resolutionSummary())).append("\n");
        }

        md.append("\n## Lessons\n\n");
        md.append(people.lessons() == null || people.lessons().isBlank() ? "_Not written yet._"
                : people.lessons().strip()).append("\n");

        md.append("\n## Corrective and Preventative Measures\n\n");
        for (String action : people.correctiveActions()) {
            md.append("- [ ] ").append(oneLine(action)).append("\n");
        }
        if (!people.correctiveActions().isEmpty()) {
            md.append("\nSuggested by Courier from the evidence:\n\n");
        }
        for (String measure : measures(cause, evidence)) {
            md.append("- [ ] ").append(measure).append("\n");
        }
        return md.toString();
    }

    /** People have written what a postmortem must hold: a root cause, lessons and at least one corrective action. */
    private static boolean finished(Incident.Handling people) {
        return people.rootCause() != null && !people.rootCause().isBlank() && people.lessons() != null
                && !people.lessons().isBlank() && !people.correctiveActions().isEmpty();
    }

    /** Requests and users hurt while the incident was open; says so plainly when none were answered at all. */
    private static String impact(Impact impact) {
        if (impact.requests() == 0) {
            return "no request was answered while the incident was open, so none failed; "
                    + "no user was seen.";
        }
        return impact.failedRequests() + " of " + impact.requests() + " " + plural(impact.requests(), "request")
                + " failed (" + percent(impact.failedRequests(), impact.requests()) + "); "
                + impact.affectedUsers() + " of " + impact.activeUsers() + " active "
                + plural(impact.activeUsers(), "user") + " (" + percent(impact.affectedUsers(), impact.activeUsers())
                + ") saw at least one failure.";
    }

    /** Who took the incident and when, and who closed it. */
    private static String response(Incident incident, Evidence evidence) {
        Incident.Handling people = incident.handling();
        StringBuilder text = new StringBuilder();
        if (people.acknowledgedBy() == null) {
            text.append("nobody acknowledged the incident");
        } else {
            text.append("acknowledged by ").append(people.acknowledgedBy()).append(" at ")
                    .append(TIME.format(people.acknowledgedAt())).append(" (")
                    .append(duration(Duration.between(incident.openedAt(), people.acknowledgedAt()).toSeconds()))
                    .append(" after it opened)");
        }
        List<TimelineEntry.StatusUpdate> updates = evidence.statusUpdates();
        if (!updates.isEmpty()) {
            text.append("; ").append(updates.size()).append(" status ").append(plural(updates.size(), "update"))
                    .append(", the first ")
                    .append(duration(Duration.between(incident.openedAt(), updates.getFirst().at()).toSeconds()))
                    .append(" after it opened");
        }
        if (people.resolvedBy() != null) {
            text.append("; closed by ").append(people.resolvedBy());
        } else if (incident.resolvedAt() != null) {
            text.append("; Courier resolved it when its alerts cleared, and nobody has closed it yet");
        }
        return text.append(".").toString();
    }

    /** The person who wrote an entry, after its kind. */
    private static String signature(TimelineEntry entry) {
        return switch (entry) {
            case TimelineEntry.ByPerson e -> " (" + e.by() + ")";
            case IncidentResolved e when e.byPerson() -> " (" + e.by() + ")";
            default -> "";
        };
    }

    /** What an entry says: its stored sentence, except a fault switch, told from its switches. */
    private static String said(TimelineEntry entry) {
        if (entry instanceof FaultSwitch e) {
            return "fault injection: " + switches(e);
        }
        return entry.summary();
    }

    private static String switches(FaultSwitch e) {
        return new FaultInjection.Faults(e.leakRate(), e.queryLatencyMs(), e.databaseDown()).describe();
    }

    /** People's texts may span lines; a list item or a summary line must not. */
    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static String plural(long n, String word) {
        return n == 1 ? word : word + "s";
    }

    private static Cause cause(Incident incident, Evidence evidence) {
        List<LeakCallSite> leaks = evidence.leaks();
        if (!leaks.isEmpty()) {
            Set<String> sites = new LinkedHashSet<>();
            leaks.forEach(l -> sites.add(l.callSite()));
            LeakCallSite first = leaks.getFirst();
            return new Cause(CauseKind.LEAK, "Database connections leaked at call site "
                    + String.join(", ", sites.stream().map(s -> "`" + s + "`").toList())
                    + ": a connection was borrowed and not given back (first seen held "
                    + first.heldMs() + " ms on thread " + first.thread() + ")" + shortage(incident, evidence) + ".");
        }
        List<DatabaseUnreachable> down = evidence.unreachable();
        List<AlertFiring> unreachableAlerts = evidence.alerts().stream()
                .filter(a -> "CourierDatabaseUnreachable".equals(a.alert())).toList();
        if (!down.isEmpty() || !unreachableAlerts.isEmpty()) {
            TimelineEntry first = !down.isEmpty() ? down.getFirst() : unreachableAlerts.getFirst();
            return new Cause(CauseKind.DATABASE_DOWN, "PostgreSQL could not be reached (" + first.summary() + ").");
        }
        List<FaultSwitch> faults = evidence.faultSwitches();
        if (!faults.isEmpty()) {
            return new Cause(CauseKind.FAULT, "A fault was injected on purpose: " + switches(faults.getFirst()) + ".");
        }
        List<SlowHold> slow = evidence.slowHolds();
        if (!slow.isEmpty()) {
            Set<String> sites = new LinkedHashSet<>();
            slow.forEach(e -> sites.add("`" + e.callSite() + "` (waiting for " + e.cause() + ")"));
            return new Cause(CauseKind.SATURATION, "The server was saturated, not leaking: database work held its"
                    + " connection past the leak threshold while it still ran, at " + String.join(", ", sites) + ".");
        }
        return new Cause(CauseKind.OTHER, "Not determined from the evidence; the first alert was: "
                + incident.title() + ".");
    }

    /** What the leak did to everyone else, as far as the evidence shows it. */
    private static String shortage(Incident incident, Evidence evidence) {
        long failed = incident.impact().failedRequests();
        if (failed > 0) {
            return "; the pool ran short and " + failed + " " + plural(failed, "request") + " failed";
        }
        if (evidence.mostWaiting() > 0) {
            return "; up to " + evidence.mostWaiting() + " callers waited for a connection, but no request failed";
        }
        return "; the pool still had connections for every other request";
    }

    /** When the first alert fired, and how long after the onset the alert naming the cause fired. */
    private static Optional<String> detection(Evidence evidence, Cause cause) {
        List<AlertFiring> alerts = evidence.alerts();
        if (alerts.isEmpty()) {
            return Optional.empty();
        }
        String causeAlert = switch (cause.kind()) {
            case LEAK -> "CourierLeakSuspected";
            case DATABASE_DOWN -> "CourierDatabaseUnreachable";
            case SATURATION -> "CourierSaturated";
            case FAULT, OTHER -> String.valueOf(alerts.getFirst().alert());
        };
        AlertFiring named = alerts.stream().filter(e -> causeAlert.equals(e.alert())).findFirst()
                .orElse(alerts.getFirst());
        Instant onset = evidence.leaks().stream().map(LeakCallSite::borrowedAt).filter(Objects::nonNull)
                .min(Instant::compareTo)
                .or(() -> evidence.faultSwitches().stream().map(FaultSwitch::at).findFirst())
                .orElse(null);
        StringBuilder text = new StringBuilder("first alert ").append(alerts.getFirst().alert())
                .append(" at ").append(TIME.format(alerts.getFirst().at())).append("; ")
                .append(named.alert()).append(" at ").append(TIME.format(named.at()));
        if (onset != null && !onset.isAfter(named.at())) {
            text.append(String.format(Locale.ROOT, ", %.1f s after the onset (%s)",
                    Duration.between(onset, named.at()).toMillis() / 1000.0, TIME.format(onset)));
        }
        return Optional.of(text.append(".").toString());
    }

    private static String resolution(Incident incident, Evidence evidence) {
        List<String> lines = new ArrayList<>();
        List<LeakReclaimed> reclaims = evidence.reclaims();
        if (!reclaims.isEmpty()) {
            lines.add("The pool reclaimed leaked connections (first at " + TIME.format(reclaims.getFirst().at())
                    + "), so other requests could be served without a restart.");
        }
        evidence.reachable().stream().findFirst().ifPresent(e ->
                lines.add("PostgreSQL answered again at " + TIME.format(e.at()) + "."));
        evidence.faultSwitches().stream().skip(1).reduce((a, b) -> b).ifPresent(e ->
                lines.add("The last fault switch, at " + TIME.format(e.at()) + ", set: " + switches(e) + "."));
        evidence.clearedAlerts().stream().reduce((a, b) -> b).ifPresent(e ->
                lines.add("The last alert cleared at " + TIME.format(e.at()) + " (" + e.summary() + ")."));
        if (incident.resolvedAt() == null) {
            lines.add("The incident is still open.");
        } else if (lines.isEmpty()) {
            lines.add("The incident was resolved at " + TIME.format(incident.resolvedAt()) + ".");
        }
        return String.join(" ", lines);
    }

    private static List<String> measures(Cause cause, Evidence evidence) {
        List<String> out = new ArrayList<>();
        switch (cause.kind()) {
            case LEAK -> {
                for (LeakCallSite leak : evidence.leaks()) {
                    out.add("Fix `" + leak.callSite() + "` so that it returns its connection: use the "
                            + "connection only inside the `Database.withHandle`/`inTransaction` callback, and add a "
                            + "test that holds the call site under load and checks that `GET /v1/admin/pool` "
                            + "shows no lease left over.");
                }
                out.add("Do not raise the pool size to compensate: a leak drains any pool, a larger one only later "
                        + "and with more load on PostgreSQL.");
                out.add("Check that the leak threshold and reclaim limit (`docs/runbooks/CourierLeakSuspected.md`) "
                        + "suit this call site's longest legitimate hold.");
            }
            case DATABASE_DOWN -> {
                out.add("Find why PostgreSQL stopped answering (its log, host, disk, network) and remove that cause.");
                out.add("Confirm that clients retried after `503 unavailable` and `Retry-After`, and that no "
                        + "acknowledged message was lost (gapless `seq` per conversation).");
            }
            case FAULT -> out.add("Injected fault: check that the drill's expectations (alert time, impact) were met "
                    + "and record the measured figures.");
            case SATURATION -> {
                out.add("Find what the CPU or PostgreSQL spent its time on during the incident (CPU per process, "
                        + "`pg_stat_activity`, `courier_db_connection_hold_seconds` by call site) and remove that load"
                        + " or add capacity: nodes for CPU, a faster database for PostgreSQL.");
                out.add("Do not raise the pool size: more connections only queue more work on the same cores.");
            }
            case OTHER -> out.add("Establish the root cause from the timeline and the metrics, then add an alert or "
                    + "a timeline entry that would have named it.");
        }
        out.add("Review the detection time above against the 10 s objective for leaks and database outages.");
        return out;
    }

    private static String duration(long seconds) {
        return seconds < 60 ? seconds + " s" : seconds / 60 + " min " + seconds % 60 + " s";
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "0 %" : String.format(Locale.ROOT, "%.1f %%", 100.0 * part / whole);
    }
}
