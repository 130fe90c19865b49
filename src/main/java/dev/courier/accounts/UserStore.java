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

    public static final String COLUMNS = "u.id, u.username, u.display_name, u.created_at";

    /** A stored user with its password hash, for login only. */
    record Credentials(User user, String passwordHash) {
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
        return h.createQuery("SELECT " + COLUMNS + ", u.password_hash FROM users u WHERE u.username = :username")
                .bind("username", username)
                .map((rs, ctx) -> new Credentials(user(rs, ctx), rs.getString("password_hash")))
                .findOne();
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
                rs.getTimestamp("created_at").toInstant());
    }
}
