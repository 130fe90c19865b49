package dev.courier.audit;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.courier.db.Database;
import dev.courier.web.AdminAuthentication;
import dev.courier.web.ApiException;
import dev.courier.web.Json;
import dev.courier.web.RoutePolicy;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log of the admin API, in {@code admin_audit_log}. One seam records every admin action: {@link #afterRequest}
 * runs after every request and keeps those that matched a route declared for the operator, presented the admin token
 * and used a method that changes things. A new admin route is audited without a line of its own; reads are not
 * recorded.
 *
 * <p>An action taken while PostgreSQL cannot be written (a drill that stops the database is itself an admin action)
 * waits in memory, up to {@link #MAX_UNWRITTEN}, and is written with the next one that succeeds.
 */
public final class AdminAuditLog {

    private static final Logger log = LoggerFactory.getLogger(AdminAuditLog.class);
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    static final int MAX_UNWRITTEN = 1_000;

    /** One page, newest first; {@code next} is the cursor of the page after, or null. */
    public record Page(List<AdminAction> entries, String next) {
    }

    private final Database db;
    private final Deque<AdminAction> unwritten = new ArrayDeque<>();

    public AdminAuditLog(Database db) {
        this.db = db;
    }

    /** After each request: records it if it was an admin action. */
    public void afterRequest(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint == null || READS.contains(endpoint.method.name())) {
            return;
        }
        RoutePolicy policy = endpoint.metadata(RoutePolicy.class);
        if (policy == null || policy.caller() != RoutePolicy.Caller.ADMIN) {
            return;
        }
        AdminAuthentication.actor(ctx).ifPresent(actor -> record(new AdminAction(0, Instant.now(), actor,
                endpoint.method.name() + " " + endpoint.path, Map.copyOf(ctx.pathParamMap()), ctx.statusCode())));
    }

    void record(AdminAction action) {
        List<AdminAction> due;
        synchronized (unwritten) {
            if (unwritten.size() == MAX_UNWRITTEN) {
                log.warn("audit log: {} actions wait for the database; dropping the oldest", MAX_UNWRITTEN);
                unwritten.removeFirst();
            }
            unwritten.addLast(action);
            // taken out, so that two requests at once never write the same entry twice
            due = List.copyOf(unwritten);
            unwritten.clear();
        }
        try {
            db.inTransaction("audit.record", h -> {
                for (AdminAction a : due) {
                    h.createUpdate("INSERT INTO admin_audit_log (at, actor, action, target, status) "
                                    + "VALUES (:at, :actor, :action, :target::jsonb, :status)")
                            .bind("at", java.sql.Timestamp.from(a.at()))
                            .bind("actor", a.actor())
                            .bind("action", a.action())
                            .bind("target", Json.write(a.target()))
                            .bind("status", a.status())
                            .execute();
                }
                return null;
            });
        } catch (RuntimeException e) {
            synchronized (unwritten) {
                for (int i = due.size() - 1; i >= 0 && unwritten.size() < MAX_UNWRITTEN; i--) {
                    unwritten.addFirst(due.get(i));
                }
            }
            log.warn("audit log: could not record {} ({}); kept in memory until the database answers",
                    action.action(), e.toString());
        }
    }

    /** Newest first, after the cursor. */
    public Page page(int limit, String cursor) {
        long before = decodeCursor(cursor);
        List<AdminAction> found = db.withHandle("audit.page", h -> h.createQuery("SELECT id, at, actor, action, "
                        + "target::text AS target, status FROM admin_audit_log WHERE id < :before "
                        + "ORDER BY id DESC LIMIT :limit")
                .bind("before", before)
                .bind("limit", limit + 1)
                .map((rs, ctx) -> new AdminAction(rs.getLong("id"), rs.getTimestamp("at").toInstant(),
                        rs.getString("actor"), rs.getString("action"), target(rs.getString("target")),
                        rs.getInt("status")))
                .list());
        boolean more = found.size() > limit;
        List<AdminAction> page = more ? found.subList(0, limit) : found;
        return new Page(List.copyOf(page), more ? Long.toString(page.getLast().id()) : null);
    }

    private static Map<String, String> target(String json) {
        try {
            return Json.mapper().readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored audit target is not a JSON object of strings", e);
        }
    }

    private static long decodeCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw ApiException.invalid("cursor", "not a cursor this server gave out");
        }
    }
}
