package dev.courier.accounts;

import dev.courier.db.BatchedLookup;
import dev.courier.db.Database;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The token checks the session cache could not answer, looked up a batch at a time ({@link BatchedLookup}): when a
 * node restarts or a balancer fails over, every client reconnects at once with a token this node has not seen, and
 * each of those thousands of upgrades would otherwise borrow a connection of its own for one indexed read. Here they
 * cost one statement per batch of up to {@link #MAX_BATCH}, on at most {@link #CONCURRENCY} connections, and the
 * devices of one user that reconnect together share one lookup of their token.
 */
final class SessionLookups {

    /** A few hundred keys make a statement of a few milliseconds: the index is probed once per key. */
    static final int MAX_BATCH = 500;
    /** Two, so that one slow statement does not hold up every token check; the rest of the pool is the others'. */
    static final int CONCURRENCY = 2;

    /**
     * A token hash, asked for after the session cache had heard {@code forgettings} revocations: lookups are shared
     * only between callers that asked between the same two revocations, so that a caller that comes after a logout
     * never takes the answer of a lookup that may have read the session before it was deleted.
     */
    record Key(TokenHash hash, long forgettings) {
    }

    private final BatchedLookup<Key, Session> lookups;

    SessionLookups(Database db, SessionStore sessions, MeterRegistry meters) {
        this.lookups = new BatchedLookup<>("sessions", keys -> {
            Set<TokenHash> hashes = new LinkedHashSet<>();
            keys.forEach(k -> hashes.add(k.hash()));
            Map<TokenHash, Session> found = db.withHandle("sessions.authenticate",
                    h -> sessions.activeByHash(h, hashes));
            Map<Key, Session> byKey = new HashMap<>();
            for (Key k : keys) {
                Session session = found.get(k.hash());
                if (session != null) {
                    byKey.put(k, session);
                }
            }
            return byKey;
        }, MAX_BATCH, CONCURRENCY, db.acquireTimeout(), () -> db.refuseIfSaturated("sessions.authenticate"),
                meters);
    }

    /** The unexpired session of {@code tokenHash}, asked for after {@code forgettings} revocations. */
    Optional<Session> active(byte[] tokenHash, long forgettings) {
        return lookups.get(new Key(new TokenHash(tokenHash), forgettings));
    }
}
