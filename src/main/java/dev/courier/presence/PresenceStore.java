package dev.courier.presence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * SQL for {@code presence_nodes}, {@code presence_streams} and {@code user_presence} (V8__presence.sql). Runs on a
 * handle lent by the caller's transaction.
 *
 * <p>Whether a user is online is decided in one place, {@link #settle}: with the users' {@code user_presence} rows
 * locked, it compares what was last announced with whether any node holds a stream of theirs now. Whoever changed
 * the stream rows (a node's join or leave, a sweep of a dead node) calls it in the same transaction, so two nodes
 * changing one user's streams at once commit one after the other, and the second sees what the first did.
 */
public final class PresenceStore {

    /**
     * The presence columns of a query that joins {@link #JOIN} on a user row {@code u}; read them with {@link #read}.
     */
    public static final String COLUMNS = "coalesce(up.online, false) AS presence_online, up.last_seen_at AS presence_last_seen_at";
    public static final String JOIN = " LEFT JOIN user_presence up ON up.user_id = u.id ";

    /** The user's presence from a row of a query with {@link #COLUMNS}. */
    public static UserPresence read(long userId, ResultSet rs) throws SQLException {
        Timestamp lastSeen = rs.getTimestamp("presence_last_seen_at");
        return new UserPresence(userId, rs.getBoolean("presence_online"), lastSeen == null ? null : lastSeen.toInstant());
    }

    void register(Handle h, UUID node, Duration lease) {
        h.createUpdate("INSERT INTO presence_nodes (node_id, expires_at) VALUES (:node, now() + :lease * interval '1 millisecond')")
                .bind("node", node)
                .bind("lease", lease.toMillis())
                .execute();
    }

    /**
     * Extends the node's lease; false when it has run out, swept yet or not: whoever sweeps next takes it, and the
     * node must register again under another id.
     */
    boolean renew(Handle h, UUID node, Duration lease) {
        return h.createUpdate("UPDATE presence_nodes SET heartbeat_at = now(), "
                        + "expires_at = now() + :lease * interval '1 millisecond' WHERE node_id = :node AND expires_at >= now()")
                .bind("node", node)
                .bind("lease", lease.toMillis())
                .execute() == 1;
    }

    /**
     * Takes a share lock on the node's lease for the rest of the transaction, so no sweep can remove it meanwhile;
     * false when it is gone.
     */
    boolean holdLease(Handle h, UUID node) {
        return h.createQuery("SELECT 1 FROM presence_nodes WHERE node_id = :node FOR KEY SHARE")
                .bind("node", node)
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
    }

    void addStreams(Handle h, UUID node, Collection<Long> userIds) {
        h.createUpdate("INSERT INTO presence_streams (user_id, node_id) SELECT unnest(:users), :node "
                        + "ON CONFLICT DO NOTHING")
                .bindArray("users", Long.class, userIds)
                .bind("node", node)
                .execute();
    }

    void removeStreams(Handle h, UUID node, Collection<Long> userIds) {
        h.createUpdate("DELETE FROM presence_streams WHERE node_id = :node AND user_id = ANY(:users)")
                .bindArray("users", Long.class, userIds)
                .bind("node", node)
                .execute();
    }

    /**
     * Deletes the leases that ran out, and with them their streams; returns each user who had a stream on such a
     * node, with the time that node was last heard from.
     */
    Map<Long, Instant> sweepExpiredLeases(Handle h) {
        Map<Long, Instant> lastHeard = new HashMap<>();
        // The stream rows go with their node (ON DELETE CASCADE) at the end of the statement; the SELECT still sees them.
        h.createQuery("""
                        WITH dead AS (DELETE FROM presence_nodes WHERE expires_at < now() RETURNING node_id, heartbeat_at)
                        SELECT s.user_id, d.heartbeat_at FROM presence_streams s JOIN dead d ON d.node_id = s.node_id""")
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getTimestamp(2).toInstant()))
                .forEach(e -> lastHeard.merge(e.getKey(), e.getValue(), (a, b) -> a.isAfter(b) ? a : b));
        return lastHeard;
    }

    /**
     * Users announced online whom no node holds a stream of, which a sweep of a lease missed: a stream row inserted
     * while its node's lease was being removed, or rows that PostgreSQL emptied in a crash (unlogged).
     */
    List<Long> onlineWithoutStreams(Handle h) {
        return h.createQuery("SELECT p.user_id FROM user_presence p WHERE p.online "
                        + "AND NOT EXISTS (SELECT 1 FROM presence_streams s WHERE s.user_id = p.user_id)")
                .mapTo(Long.class)
                .list();
    }

    /**
     * Brings {@code online} of these users in line with their stream rows and returns those whose value changed. A
     * user who came online was last seen now; one who went offline at the time given in {@code seenAt}.
     */
    List<Long> settle(Handle h, Map<Long, Instant> seenAt) {
        List<Long> users = seenAt.keySet().stream().sorted().toList();
        List<Long> seenMicros = users.stream().map(seenAt::get)
                .map(seen -> seen.getEpochSecond() * 1_000_000L + seen.getNano() / 1_000).toList();
        h.createUpdate("INSERT INTO user_presence (user_id) SELECT unnest(:users) ON CONFLICT DO NOTHING")
                .bindArray("users", Long.class, users)
                .execute();
        // Locked first, in id order (no two transactions wait on each other in a cycle); the UPDATE below is a new
        // statement, so it sees every stream row committed by whoever held one of these locks before.
        h.createQuery("SELECT user_id FROM user_presence WHERE user_id = ANY(:users) ORDER BY user_id FOR NO KEY UPDATE")
                .bindArray("users", Long.class, users)
                .mapTo(Long.class)
                .list();
        return h.createQuery("""
                        UPDATE user_presence p
                           SET online = s.online,
                               last_seen_at = CASE WHEN s.online THEN now() ELSE to_timestamp(s.seen / 1000000.0) END
                          FROM (SELECT u.id, u.seen,
                                       EXISTS (SELECT 1 FROM presence_streams x WHERE x.user_id = u.id) AS online
                                  FROM unnest(:users, :seen) AS u(id, seen)) s
                         WHERE p.user_id = s.id AND p.online <> s.online
                        RETURNING p.user_id""")
                .bindArray("users", Long.class, users)
                .bindArray("seen", Long.class, seenMicros)
                .mapTo(Long.class)
                .list();
    }

    /** The presence of each of these users; one who never had a stream is offline and was never seen. */
    List<UserPresence> current(Handle h, Collection<Long> userIds) {
        Map<Long, UserPresence> found = new HashMap<>();
        h.createQuery("SELECT user_id, online, last_seen_at FROM user_presence WHERE user_id = ANY(:users)")
                .bindArray("users", Long.class, userIds)
                .map((rs, ctx) -> {
                    Timestamp seen = rs.getTimestamp("last_seen_at");
                    return new UserPresence(rs.getLong("user_id"), rs.getBoolean("online"),
                            seen == null ? null : seen.toInstant());
                })
                .forEach(p -> found.put(p.userId(), p));
        List<UserPresence> all = new ArrayList<>(userIds.size());
        for (long userId : userIds) {
            all.add(found.getOrDefault(userId, new UserPresence(userId, false, null)));
        }
        return all;
    }
}
