package dev.courier.accounts;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** SQL for the {@code sessions} table; tokens are known only by their hash. */
final class SessionStore {

    void insert(Handle h, byte[] tokenHash, long userId, Instant expiresAt, String userAgent, String address) {
        h.createUpdate("INSERT INTO sessions (token_hash, user_id, expires_at, user_agent, address) "
                        + "VALUES (:hash, :userId, :expiresAt, :userAgent, :address)")
                .bind("hash", tokenHash)
                .bind("userId", userId)
                .bind("expiresAt", java.sql.Timestamp.from(expiresAt))
                .bind("userAgent", userAgent)
                .bind("address", address)
                .execute();
    }

    /**
     * The unexpired sessions of the given token hashes, by hash, in one statement; a hash without one is absent. As
     * the single lookup it replaces, deactivated users included (their token answers {@code 403}, not {@code 401}).
     */
    Map<TokenHash, Session> activeByHash(Handle h, Collection<TokenHash> tokenHashes) {
        List<String> hex = tokenHashes.stream().map(t -> java.util.HexFormat.of().formatHex(t.bytes())).toList();
        Map<TokenHash, Session> found = new java.util.HashMap<>();
        h.createQuery("SELECT " + UserStore.COLUMNS + ", u.deactivated_at, s.expires_at, s.token_hash FROM sessions s "
                        + "JOIN users u ON u.id = s.user_id "
                        + "WHERE s.token_hash = ANY(ARRAY(SELECT decode(x, 'hex') FROM unnest(:hashes::text[]) AS x)) "
                        + "AND s.expires_at > now()")
                .bindArray("hashes", String.class, hex)
                .map((rs, ctx) -> new Session(UserStore.user(rs, ctx), rs.getBytes("token_hash"),
                        rs.getTimestamp("expires_at").toInstant(), rs.getTimestamp("deactivated_at") != null))
                .forEach(session -> found.put(new TokenHash(session.tokenHash()), session));
        return found;
    }

    /** Which of the given token hashes (hex) still belong to an unexpired session of a user not deactivated. */
    Set<String> activeAmong(Handle h, Collection<String> tokenHashesHex) {
        return new HashSet<>(h.createQuery("SELECT encode(s.token_hash, 'hex') FROM sessions s "
                        + "JOIN users u ON u.id = s.user_id "
                        + "WHERE s.token_hash = ANY(ARRAY(SELECT decode(x, 'hex') FROM unnest(:hashes::text[]) AS x)) "
                        + "AND s.expires_at > now() AND u.deactivated_at IS NULL")
                .bindArray("hashes", String.class, tokenHashesHex)
                .mapTo(String.class)
                .list());
    }

    /** The user's unexpired sessions, most recently used first. */
    List<SessionInfo> listOf(Handle h, long userId, byte[] currentTokenHash) {
        return h.createQuery("SELECT id, created_at, last_used_at, user_agent, address, token_hash = :current AS current "
                        + "FROM sessions WHERE user_id = :userId AND expires_at > now() "
                        + "ORDER BY last_used_at DESC, id DESC")
                .bind("userId", userId)
                .bind("current", currentTokenHash)
                .map((rs, ctx) -> new SessionInfo(rs.getLong("id"), rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("last_used_at").toInstant(), rs.getString("user_agent"),
                        rs.getString("address"), rs.getBoolean("current")))
                .list();
    }

    void delete(Handle h, byte[] tokenHash) {
        h.createUpdate("DELETE FROM sessions WHERE token_hash = :hash").bind("hash", tokenHash).execute();
    }

    /** Deletes session {@code id} if it is the user's; returns its token hash, empty when it is not the user's. */
    Optional<byte[]> deleteOwn(Handle h, long userId, long id) {
        return h.createQuery("DELETE FROM sessions WHERE id = :id AND user_id = :userId RETURNING token_hash")
                .bind("id", id)
                .bind("userId", userId)
                .mapTo(byte[].class)
                .findOne();
    }

    /** Deletes every session of the user but the one of {@code keptTokenHash} (every one when it is null). */
    int deleteAllOf(Handle h, long userId, byte[] keptTokenHash) {
        return h.createUpdate("DELETE FROM sessions WHERE user_id = :userId "
                        + "AND (CAST(:kept AS bytea) IS NULL OR token_hash <> :kept)")
                .bind("userId", userId)
                .bind("kept", keptTokenHash)
                .execute();
    }

    /** Records when each session was last used; one statement for all, a session gone meanwhile is skipped. */
    void recordUse(Handle h, Map<TokenHash, Instant> lastUsed) {
        List<String> hashes = new java.util.ArrayList<>(lastUsed.size());
        List<Long> millis = new java.util.ArrayList<>(lastUsed.size());
        lastUsed.forEach((hash, at) -> {
            hashes.add(java.util.HexFormat.of().formatHex(hash.bytes()));
            millis.add(at.toEpochMilli());
        });
        h.createUpdate("UPDATE sessions s SET last_used_at = greatest(s.last_used_at, to_timestamp(u.ms / 1000.0)) "
                        + "FROM unnest(:hashes::text[], :millis::bigint[]) AS u(hash, ms) "
                        + "WHERE s.token_hash = decode(u.hash, 'hex')")
                .bindArray("hashes", String.class, hashes)
                .bindArray("millis", Long.class, millis)
                .execute();
    }

    int deleteExpired(Handle h) {
        return h.createUpdate("DELETE FROM sessions WHERE expires_at <= now()").execute();
    }
}
