package dev.courier.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.courier.db.Database;
import dev.courier.platform.PeriodicTask;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each session was last used, as the session list shows it, without a write per request: a request notes its
 * session in memory, at most once per {@link #RESOLUTION} per session on this node, and a background flush writes
 * what was noted every {@link #FLUSH_EVERY} in one statement. So {@code lastUsedAt} is up to a minute and a few
 * seconds behind, and a busy client costs one row update a minute, not one per request. Lost on a crash: a
 * session's last use is a hint for its owner, not a record.
 */
final class SessionActivity implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SessionActivity.class);

    static final Duration RESOLUTION = Duration.ofMinutes(1);
    static final Duration FLUSH_EVERY = Duration.ofSeconds(10);
    /** Rows per statement: a flush of a node with very many active sessions takes several short ones. */
    private static final int ROWS_PER_WRITE = 1_000;

    private final Database db;
    private final SessionStore store;
    /** Sessions noted within the last {@link #RESOLUTION}; bounded like the session cache. */
    private final Cache<TokenHash, Boolean> noted = Caffeine.newBuilder()
            .maximumSize(SessionCache.MAX_ENTRIES)
            .expireAfterWrite(RESOLUTION)
            .build();
    private final Map<TokenHash, Instant> unwritten = new ConcurrentHashMap<>();
    private final PeriodicTask flusher;

    SessionActivity(Database db, SessionStore store) {
        this.db = db;
        this.store = store;
        // what a failed flush took from the map is lost: the next use a minute later is noted again
        this.flusher = PeriodicTask.every(FLUSH_EVERY, "courier-session-activity", this::flush,
                e -> log.debug("could not record session use: {}", e.toString()));
    }

    /** The session was just used; costs a cache lookup, and a map insert once a minute. */
    void used(byte[] tokenHash) {
        TokenHash key = new TokenHash(tokenHash);
        if (noted.asMap().putIfAbsent(key, Boolean.TRUE) == null) {
            unwritten.put(key, Instant.now());
        }
    }

    /** Writes every use noted so far. */
    void flush() {
        Iterator<Map.Entry<TokenHash, Instant>> entries = unwritten.entrySet().iterator();
        while (entries.hasNext()) {
            Map<TokenHash, Instant> batch = new HashMap<>();
            while (entries.hasNext() && batch.size() < ROWS_PER_WRITE) {
                Map.Entry<TokenHash, Instant> entry = entries.next();
                batch.put(entry.getKey(), entry.getValue());
                entries.remove();
            }
            db.withHandle("sessions.recordUse", h -> {
                store.recordUse(h, batch);
                return null;
            });
        }
    }

    @Override
    public void close() {
        flusher.close();
    }
}
