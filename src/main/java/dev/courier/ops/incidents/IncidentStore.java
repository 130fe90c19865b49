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
                        + "active_users = :active, affected_users = :affected, resolved_at = :resolvedAt, "
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
        return new Incident(rs.getLong("id"), rs.getString("title"), resolved == null ? Incident.OPEN
                : Incident.RESOLVED, opened, resolved, impact, rs.getInt("dropped_entries"), null);
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
