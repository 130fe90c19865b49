package dev.courier.accounts;

import dev.courier.presence.PresenceStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** SQL for the {@code users} table. Runs on a handle lent by the caller's transaction. */
public final class UserStore {

    public static final String COLUMNS = "u.id, u.username, u.display_name, u.created_at, u.deleted_at";

    /** A stored user with its password hash and whether an operator deactivated it, for login and re-checks. */
    record Credentials(User user, String passwordHash, boolean deactivated) {
    }

    /** Inserts a user, or returns empty when the (lower-cased) username is taken. */
    Optional<User> insert(Handle h, String username, String displayName, String passwordHash) {
        return h.createQuery("""
                        INSERT INTO users AS u (username, display_name, password_hash)
                        VALUES (:username, :displayName, :passwordHash)
                        ON CONFLICT (username) DO NOTHING
                        RETURNING\s""" + COLUMNS)
                .bind("username", username)
                .bind("displayName", displayName)
                .bind("passwordHash", passwordHash)
                .map(UserStore::user)
                .findOne();
    }

    Optional<Credentials> credentials(Handle h, String username) {
        return h.createQuery("SELECT " + COLUMNS + ", u.password_hash, u.deactivated_at FROM users u "
                        + "WHERE u.username = :username AND u.deleted_at IS NULL")
                .bind("username", username)
                .map((rs, ctx) -> readCredentials(rs, ctx))
                .findOne();
    }

    /** The credentials of a user that has not deleted its account, by id. */
    Optional<Credentials> credentials(Handle h, long userId) {
        return h.createQuery("SELECT " + COLUMNS + ", u.password_hash, u.deactivated_at FROM users u "
                        + "WHERE u.id = :id AND u.deleted_at IS NULL")
                .bind("id", userId)
                .map((rs, ctx) -> readCredentials(rs, ctx))
                .findOne();
    }

    private static Credentials readCredentials(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Credentials(user(rs, ctx), rs.getString("password_hash"), rs.getTimestamp("deactivated_at") != null);
    }

    Optional<User> rename(Handle h, long userId, String displayName) {
        return h.createQuery("UPDATE users u SET display_name = :name WHERE u.id = :id AND u.deleted_at IS NULL "
                        + "RETURNING " + COLUMNS)
                .bind("name", displayName)
                .bind("id", userId)
                .map(UserStore::user)
                .findOne();
    }

    void setPasswordHash(Handle h, long userId, String passwordHash) {
        h.createUpdate("UPDATE users SET password_hash = :hash WHERE id = :id").bind("hash", passwordHash)
                .bind("id", userId).execute();
    }

    /**
     * Releases the username and blanks what the user told about themselves. The new username holds a character no
     * registration accepts ({@code ~}), so it can never be taken by, or taken from, a living account, and the id
     * keeps it unique. An empty password hash matches no password. False when the account was deleted already.
     */
    boolean markDeleted(Handle h, long userId) {
        return h.createUpdate("UPDATE users SET username = '~deleted-' || id, display_name = :name, "
                        + "password_hash = '', deleted_at = now() WHERE id = :id AND deleted_at IS NULL")
                .bind("name", User.DELETED_DISPLAY_NAME)
                .bind("id", userId)
                .execute() == 1;
    }

    /** Sets the deactivation time, keeping the first one when deactivated already; false for no such user. */
    boolean deactivate(Handle h, long userId) {
        return h.createUpdate("UPDATE users SET deactivated_at = coalesce(deactivated_at, now()) WHERE id = :id")
                .bind("id", userId).execute() == 1;
    }

    /** Clears the deactivation; true when the user was deactivated. */
    boolean reactivate(Handle h, long userId) {
        return h.createUpdate("UPDATE users SET deactivated_at = NULL WHERE id = :id AND deactivated_at IS NOT NULL")
                .bind("id", userId).execute() == 1;
    }

    boolean exists(Handle h, long userId) {
        return h.createQuery("SELECT EXISTS (SELECT 1 FROM users WHERE id = :id)").bind("id", userId)
                .mapTo(Boolean.class).one();
    }

    /** The user with its presence when {@code viewerId} shares a conversation with it, without otherwise. */
    Optional<User> byUsernameAsSeenBy(Handle h, String username, long viewerId) {
        return h.createQuery("SELECT " + COLUMNS + ", " + PresenceStore.COLUMNS + ", EXISTS (SELECT 1 FROM memberships a "
                        + "JOIN memberships b ON b.conversation_id = a.conversation_id "
                        + "WHERE a.user_id = :viewer AND b.user_id = u.id) AS shares_a_conversation "
                        + "FROM users u" + PresenceStore.JOIN + "WHERE u.username = :username")
                .bind("username", username)
                .bind("viewer", viewerId)
                .map((rs, ctx) -> {
                    User user = user(rs, ctx);
                    if (!rs.getBoolean("shares_a_conversation")) {
                        return user;
                    }
                    return user.withPresence(PresenceStore.read(user.id(), rs));
                })
                .findOne();
    }

    public Optional<User> byId(Handle h, long id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM users u WHERE u.id = :id")
                .bind("id", id)
                .map(UserStore::user)
                .findOne();
    }

    /** The users among {@code ids} that exist, in id order. */
    public List<User> byIds(Handle h, Collection<Long> ids) {
        return h.createQuery("SELECT " + COLUMNS + " FROM users u WHERE u.id = ANY(:ids) ORDER BY u.id")
                .bindArray("ids", Long.class, ids)
                .map(UserStore::user)
                .list();
    }

    public static User user(ResultSet rs, StatementContext ctx) throws SQLException {
        return new User(rs.getLong("id"), rs.getString("username"), rs.getString("display_name"),
                rs.getTimestamp("created_at").toInstant(), null, null, rs.getTimestamp("deleted_at") != null);
    }
}
