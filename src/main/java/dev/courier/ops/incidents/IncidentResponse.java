package dev.courier.ops.incidents;

import dev.courier.db.Database;
import dev.courier.ops.alerts.Alert;
import dev.courier.ops.alerts.AlertAnnotations;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/**
 * What people do with an incident: acknowledge it, write notes, actions and status updates on its timeline, close
 * it, and record its root cause, lessons and corrective actions. Courier's own recording ({@link IncidentRecorder})
 * runs beside this and is told what concerns it: an acknowledgment silences re-notification, a close ends tracking.
 *
 * <p>Each change runs in one transaction on the incident's row, so that two people acting at once are serialised:
 * the first acknowledgment wins and both callers see its name.
 */
public final class IncidentResponse {

    /** The kinds of entry a person writes with {@code POST .../notes}. */
    public enum NoteKind {
        NOTE, ACTION, STATUS;

        static Optional<NoteKind> named(String name) {
            for (NoteKind kind : values()) {
                if (kind.name().toLowerCase(java.util.Locale.ROOT).equals(name)) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }
    }

    private static final Duration STORED_PRECISION = Duration.ofMillis(1);

    private final Database database;
    private final IncidentStore store;
    private final IncidentRecorder recorder;
    private final AlertAnnotations annotations;
    private final Supplier<List<Alert>> alerts;

    /**
     * @param annotations where a status update is posted beside the incident's alerts (the alert webhooks)
     * @param alerts      this node's alerts, firing and recently resolved
     */
    public IncidentResponse(Database database, IncidentRecorder recorder, AlertAnnotations annotations,
                            Supplier<List<Alert>> alerts) {
        this.database = database;
        this.store = new IncidentStore();
        this.recorder = recorder;
        this.annotations = annotations;
        this.alerts = alerts;
    }

    /** Records {@code by} as the one working the incident, unless someone already is; either way shows it. */
    public Incident acknowledge(long id, String by) {
        Instant now = Instant.now();
        Incident shown = database.inTransaction("incidents.acknowledge", h -> {
            existing(h, id);
            if (store.acknowledge(h, id, by, now)) {
                store.append(h, id, TimelineEntry.Traced.ofCurrentRequest(
                        new TimelineEntry.Acknowledged(now, by + " acknowledged the incident", by)));
            }
            return withTimeline(h, id);
        });
        recorder.acknowledged(id);
        return shown;
    }

    /** Appends a person's entry; a status update is also posted to the alert webhooks beside the incident's alerts. */
    public TimelineEntry addNote(long id, String by, NoteKind kind, String text) {
        Instant now = Instant.now();
        // a person's entry is made by a request: it names that request's trace
        TimelineEntry entry = TimelineEntry.Traced.ofCurrentRequest(switch (kind) {
            case NOTE -> new TimelineEntry.Note(now, text, by);
            case ACTION -> new TimelineEntry.Action(now, text, by);
            case STATUS -> new TimelineEntry.StatusUpdate(now, text, by);
        });
        Incident incident = database.inTransaction("incidents.note", h -> {
            Incident found = existing(h, id);
            store.append(h, id, entry);
            return found;
        });
        if (kind == NoteKind.STATUS) {
            annotations.annotate(alertsOf(incident), statusAnnotations(id, by, text, now), now);
        }
        return entry;
    }

    /**
     * Closes the incident for {@code by}, with their summary. Refused while any of its alerts fires: the incident
     * then stays open. Closing an incident someone already closed changes nothing.
     */
    public Incident resolve(long id, String by, String summary) {
        Instant now = Instant.now();
        return database.inTransaction("incidents.resolve", h -> {
            Incident found = store.lock(h, id).orElseThrow(IncidentResponse::unknown);
            if (found.handling().resolvedBy() != null) {
                return found.withTimeline(store.timeline(h, id));
            }
            Impact impact = found.impact();
            Map<String, Integer> reclaims = Map.of();
            if (found.open()) {
                IncidentRecorder.Closing closing = recorder.close(id, now);
                if (closing.refused()) {
                    throw ApiException.of(ErrorCode.CONFLICT, "the incident stays open while its alerts fire ("
                            + String.join(", ", closing.firing()) + "); resolve it once they clear");
                }
                if (closing.measured() != null) {
                    impact = closing.measured();
                    reclaims = closing.reclaimsByCallSite();
                    store.update(h, id, impact, now, found.droppedEntries());
                }
            }
            store.close(h, id, by, summary, now);
            store.append(h, id, TimelineEntry.Traced.ofCurrentRequest(
                    new TimelineEntry.IncidentResolved(now, summary, impact, reclaims, by)));
            return withTimeline(h, id);
        });
    }

    /** Sets the postmortem's fields that are given; the others stay as they are. */
    public Incident edit(long id, Optional<String> rootCause, Optional<String> lessons,
                         Optional<List<String>> correctiveActions) {
        return database.inTransaction("incidents.edit", h -> {
            store.lock(h, id).orElseThrow(IncidentResponse::unknown);
            store.edit(h, id, rootCause, lessons, correctiveActions);
            return withTimeline(h, id);
        });
    }

    /**
     * This node's alerts that belong to the incident: those that started while it was open. One incident is open
     * at a time and every alert that fires joins it, so the window tells them apart.
     */
    private List<Alert> alertsOf(Incident incident) {
        Map<String, Alert> newest = new LinkedHashMap<>();
        // PostgreSQL keeps microseconds and rounds: the first alert's start, the same instant as the incident's
        // opening in memory, may read back a fraction of a microsecond before it
        Instant from = incident.openedAt().minus(STORED_PRECISION);
        Instant to = incident.resolvedAt() == null ? null : incident.resolvedAt().plus(STORED_PRECISION);
        for (Alert alert : alerts.get()) {
            boolean during = !alert.startsAt().isBefore(from) && (to == null || !alert.startsAt().isAfter(to));
            if (during) {
                newest.merge(alert.name(), alert, (a, b) -> a.startsAt().isAfter(b.startsAt()) ? a : b);
            }
        }
        return List.copyOf(newest.values());
    }

    /** The annotations a status update adds to each alert of its incident; docs/observability.md shows a body. */
    static Map<String, String> statusAnnotations(long id, String by, String text, Instant at) {
        Map<String, String> status = new LinkedHashMap<>();
        status.put("incident_id", String.valueOf(id));
        status.put("incident_status", text);
        status.put("incident_status_by", by);
        status.put("incident_status_at", at.toString());
        return status;
    }

    private Incident existing(Handle h, long id) {
        return store.find(h, id).orElseThrow(IncidentResponse::unknown);
    }

    private Incident withTimeline(Handle h, long id) {
        return existing(h, id).withTimeline(store.timeline(h, id));
    }

    static ApiException unknown() {
        return ApiException.notFound("no such incident");
    }
}
