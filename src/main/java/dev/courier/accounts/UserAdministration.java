package dev.courier.accounts;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.courier.db.Database;
import dev.courier.web.ApiException;
import java.time.Instant;
import java.util.List;

/**
 * What operators do to users: find them, deactivate them (every session stops passing at once on every node, and
 * their streams close with 4001), and reactivate them. Both are idempotent, and a repeat publishes the revocation
 * again: an operator who is unsure whether a deactivation reached every node (the node that took it died right after
 * its commit) deactivates again.
 */
public final class UserAdministration {

    /** A user as the operator sees it: the user object, when it was deactivated, when it was last seen. */
    public record AdminUser(long id, String username, String displayName, Instant createdAt,
                            @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean deleted, Instant deactivatedAt,
                            Instant lastSeenAt) {
    }

    /** One page of users, by id; {@code next} is the cursor of the page after, or null. */
    public record Page(List<AdminUser> users, String next) {
    }

    private final Database db;
    private final UserStore users;
    private final SessionStore sessions;
    private final SessionRevocation revocation;

    UserAdministration(Database db, UserStore users, SessionStore sessions, SessionRevocation revocation) {
        this.db = db;
        this.users = users;
        this.sessions = sessions;
        this.revocation = revocation;
    }

    /** Users whose username or display name contains {@code query} (any case), by id, after the cursor. */
    public Page find(String query, int limit, String cursor) {
        long afterId = decodeCursor(cursor);
        String pattern = query == null || query.isBlank() ? null
                : "%" + query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        List<AdminUser> found = db.withHandle("admin.users", h -> h.createQuery("SELECT u.id, u.username, "
                        + "u.display_name, u.created_at, u.deleted_at, u.deactivated_at, "
                        + "greatest(p.last_seen_at, (SELECT max(s.last_used_at) FROM sessions s WHERE s.user_id = u.id)) "
                        + "AS last_seen_at FROM users u LEFT JOIN user_presence p ON p.user_id = u.id "
                        + "WHERE u.id > :after AND (CAST(:pattern AS text) IS NULL "
                        + "OR u.username ILIKE :pattern OR u.display_name ILIKE :pattern) "
                        + "ORDER BY u.id LIMIT :limit")
                .bind("after", afterId)
                .bind("pattern", pattern)
                .bind("limit", limit + 1)
                .map((rs, ctx) -> new AdminUser(rs.getLong("id"), rs.getString("username"),
                        rs.getString("display_name"), rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("deleted_at") != null, instant(rs.getTimestamp("deactivated_at")),
                        instant(rs.getTimestamp("last_seen_at"))))
                .list());
        boolean more = found.size() > limit;
        List<AdminUser> page = more ? found.subList(0, limit) : found;
        return new Page(List.copyOf(page), more ? Long.toString(page.getLast().id()) : null);
    }

    /** Deactivates the user (again, if it was): no session of it passes from now on, on any node. */
    public void deactivate(long userId) {
        if (!db.withHandle("admin.deactivate", h -> users.deactivate(h, userId))) {
            throw ApiException.notFound("no such user");
        }
        revocation.allRevoked(userId, null);
    }

    /**
     * Lifts a deactivation. The sessions that stood while the user was deactivated are deleted rather than revived:
     * whoever held them (perhaps the intruder the deactivation was for) must log in again.
     */
    public void reactivate(long userId) {
        boolean exists = db.inTransaction("admin.reactivate", h -> {
            if (users.reactivate(h, userId)) {
                sessions.deleteAllOf(h, userId, null);
                return true;
            }
            return users.exists(h, userId);
        });
        if (!exists) {
            throw ApiException.notFound("no such user");
        }
        revocation.allRevoked(userId, null);
    }

    private static long decodeCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(cursor));
        } catch (NumberFormatException e) {
            throw ApiException.invalid("cursor", "not a cursor this server gave out");
        }
    }

    private static Instant instant(java.sql.Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
