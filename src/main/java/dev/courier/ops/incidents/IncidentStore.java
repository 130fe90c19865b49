package dev.courier.ops.incidents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The SQL of incidents and their timelines. Every method runs on a handle lent by {@code Database}. */
final class IncidentStore {

    long open(Handle h, String title, Instant openedAt) {
        return h.createUpdate("INSERT INTO incidents (title, opened_at) VALUES (:title, :openedAt)")
                .bind("title", title)
                .bind("openedAt", utc(openedAt))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    void append(Handle h, long incidentId, TimelineEntry entry) {
        TimelineRow row = TimelineRow.of(entry);
        h.createUpdate("INSERT INTO incident_events (incident_id, at, kind, summary, data) "
                        + "VALUES (:id, :at, :kind, :summary, CAST(:data AS jsonb))")
                .bind("id", incidentId)
                .bind("at", utc(row.at()))
                .bind("kind", row.kind())
                .bind("summary", row.summary())
                .bind("data", Json.write(row.storedData()))
                .execute();
    }

    void update(Handle h, long incidentId, Impact impact, Instant resolvedAt, int dropped) {
        h.createUpdate("UPDATE incidents SET requests = :requests, failed_requests = :failed, "
                        // users are told apart in memory only: a node that adopts the incident after a restart
                        // starts counting them again, so the stored figure is the larger, never a reset
                        + "active_users = GREATEST(active_users, :active), "
                        + "affected_users = GREATEST(affected_users, :affected), "
                        // a person may have closed the incident meanwhile: an update still in the queue keeps it closed
                        + "resolved_at = COALESCE(:resolvedAt, resolved_at), "
                        + "dropped_entries = :dropped WHERE id = :id")
                .bind("requests", impact.requests())
                .bind("failed", impact.failedRequests())
                .bind("active", impact.activeUsers())
                .bind("affected", impact.affectedUsers())
                .bind("resolvedAt", resolvedAt == null ? null : utc(resolvedAt))
                .bind("dropped", dropped)
                .bind("id", incidentId)
                .execute();
    }

    /**
     * Records who acknowledged the incident, unless someone already did; true when this call was the one that did.
     * Two people at once: the row lock makes one update wait for the other, which then finds the name set.
     */
    boolean acknowledge(Handle h, long incidentId, String by, Instant at) {
        return h.createUpdate("UPDATE incidents SET acknowledged_by = :by, acknowledged_at = :at "
                        + "WHERE id = :id AND acknowledged_by IS NULL")
                .bind("by", by)
                .bind("at", utc(at))
                .bind("id", incidentId)
                .execute() == 1;
    }

    /** Sets the fields given, leaves the others as they are. */
    void edit(Handle h, long incidentId, Optional<String> rootCause, Optional<String> lessons,
              Optional<List<String>> correctiveActions) {
        h.createUpdate("UPDATE incidents SET root_cause = CASE WHEN :setRootCause THEN :rootCause ELSE root_cause END, "
                        + "lessons = CASE WHEN :setLessons THEN :lessons ELSE lessons END, "
                        + "corrective_actions = CASE WHEN :setActions THEN CAST(:actions AS jsonb) "
                        + "ELSE corrective_actions END WHERE id = :id")
                .bind("setRootCause", rootCause.isPresent())
                .bind("rootCause", rootCause.orElse(null))
                .bind("setLessons", lessons.isPresent())
                .bind("lessons", lessons.orElse(null))
                .bind("setActions", correctiveActions.isPresent())
                .bind("actions", Json.write(correctiveActions.orElse(List.of())))
                .bind("id", incidentId)
                .execute();
    }

    /**
     * Records who closed the incident and why, unless someone already did; an incident still open is resolved now.
     * True when this call closed it.
     */
    boolean close(Handle h, long incidentId, String by, String summary, Instant at) {
        return h.createUpdate("UPDATE incidents SET resolved_by = :by, resolution_summary = :summary, "
                        + "resolved_at = COALESCE(resolved_at, :at) WHERE id = :id AND resolved_by IS NULL")
                .bind("by", by)
                .bind("summary", summary)
                .bind("at", utc(at))
                .bind("id", incidentId)
                .execute() == 1;
    }

    /** The incident, its row locked until the transaction ends: the people's changes to it run one at a time. */
    Optional<Incident> lock(Handle h, long id) {
        return h.createQuery("SELECT * FROM incidents WHERE id = :id FOR UPDATE").bind("id", id)
                .map((rs, ctx) -> incident(rs)).findOne();
    }

    List<Incident> newest(Handle h, int limit) {
        return h.createQuery("SELECT * FROM incidents ORDER BY opened_at DESC, id DESC LIMIT :limit")
                .bind("limit", limit).map((rs, ctx) -> incident(rs)).list();
    }

    Optional<Incident> find(Handle h, long id) {
        return h.createQuery("SELECT * FROM incidents WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> incident(rs)).findOne();
    }

    Optional<Incident> latestOpen(Handle h) {
        return h.createQuery("SELECT * FROM incidents WHERE resolved_at IS NULL ORDER BY opened_at DESC LIMIT 1")
                .map((rs, ctx) -> incident(rs)).findOne();
    }

    List<TimelineEntry> timeline(Handle h, long id) {
        return h.createQuery("SELECT at, kind, summary, data::text AS data FROM incident_events "
                        + "WHERE incident_id = :id ORDER BY at, id")
                .bind("id", id)
                .map((rs, ctx) -> new TimelineRow(instant(rs, "at"), rs.getString("kind"), rs.getString("summary"),
                        parse(rs.getString("data"))).entry())
                .list();
    }

    private static Incident incident(ResultSet rs) throws SQLException {
        Instant opened = instant(rs, "opened_at");
        Instant resolved = instant(rs, "resolved_at");
        long duration = Duration.between(opened, resolved == null ? Instant.now() : resolved).toSeconds();
        Impact impact = Impact.of(duration, rs.getLong("requests"), rs.getLong("failed_requests"),
                rs.getInt("active_users"), rs.getInt("affected_users"));
        Incident.Handling handling = new Incident.Handling(rs.getString("acknowledged_by"),
                instant(rs, "acknowledged_at"), rs.getString("root_cause"), rs.getString("lessons"),
                texts(rs.getString("corrective_actions")), rs.getString("resolved_by"),
                rs.getString("resolution_summary"));
        return new Incident(rs.getLong("id"), rs.getString("title"), resolved == null ? Incident.OPEN
                : Incident.RESOLVED, opened, resolved, impact, rs.getInt("dropped_entries"), handling, null);
    }

    private static List<String> texts(String json) {
        List<String> out = new java.util.ArrayList<>();
        parse(json).forEach(node -> out.add(node.asText()));
        return out;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("stored timeline data is not JSON", e);
        }
    }
}
