package dev.courier.accounts;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for the {@code sessions} table; tokens are known only by their hash. */
final class SessionStore {

    void insert(Handle h, byte[] tokenHash, long userId, Instant expiresAt) {
        h.createUpdate("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (:hash, :userId, :expiresAt)")
                .bind("hash", tokenHash)
                .bind("userId", userId)
                .bind("expiresAt", java.sql.Timestamp.from(expiresAt))
                .execute();
    }

    Optional<Session> active(Handle h, byte[] tokenHash) {
        return h.createQuery("SELECT " + UserStore.COLUMNS + ", s.expires_at FROM sessions s "
                        + "JOIN users u ON u.id = s.user_id WHERE s.token_hash = :hash AND s.expires_at > now()")
                .bind("hash", tokenHash)
                .map((rs, ctx) -> new Session(UserStore.user(rs, ctx), tokenHash,
                        rs.getTimestamp("expires_at").toInstant()))
                .findOne();
    }

    /** Which of the given token hashes (hex) still belong to an unexpired session. */
    java.util.Set<String> activeAmong(Handle h, java.util.Collection<String> tokenHashesHex) {
        return new java.util.HashSet<>(h.createQuery("SELECT encode(token_hash, 'hex') FROM sessions "
                        + "WHERE token_hash = ANY(ARRAY(SELECT decode(x, 'hex') FROM unnest(:hashes::text[]) AS x)) "
                        + "AND expires_at > now()")
                .bindArray("hashes", String.class, tokenHashesHex)
                .mapTo(String.class)
                .list());
    }

    void delete(Handle h, byte[] tokenHash) {
        h.createUpdate("DELETE FROM sessions WHERE token_hash = :hash").bind("hash", tokenHash).execute();
    }

    int deleteExpired(Handle h) {
        return h.createUpdate("DELETE FROM sessions WHERE expires_at <= now()").execute();
    }
}
