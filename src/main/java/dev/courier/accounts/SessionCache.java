package dev.courier.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.courier.bus.BusListener;
import dev.courier.events.DomainEvent;
import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * This node's sessions looked up lately, so that a request whose token was seen a moment ago costs no database
 * round trip. Keyed by the token's hash, like the table; only sessions found are kept (a cache of refusals would let
 * made-up tokens evict real sessions, and a flood of them is the rate limiter's business).
 *
 * <p>An entry goes when its session expires, at the latest after {@link #MAX_AGE}, and at once when the bus brings
 * the session's revocation from any node; everything goes when the bus may have lost events.
 */
public final class SessionCache implements BusListener {

    /** A few hundred bytes each (the user, the hash, the cache's bookkeeping): some tens of MB at most. */
    static final int MAX_ENTRIES = 100_000;
    /**
     * The safety net for a revocation that reaches no cache: the bus is at most once, and not every loss is reported
     * (a revocation the PostgreSQL bus could not send because its queue was full or its statement failed, a session
     * row deleted by hand). Such a token keeps working for at most this long on a node that had it cached. Five
     * seconds keeps that window short, while a client that makes a request every second or more often still costs
     * one lookup per window instead of one per request.
     */
    static final Duration MAX_AGE = Duration.ofSeconds(5);

    private final Cache<TokenHash, Session> sessions;
    private final InstantSource clock;
    /**
     * Counts every revocation and every loss heard. A lookup that overlapped one may have read a session just
     * revoked, after its revocation was applied here: {@link #find} then does not keep what it read.
     */
    private final AtomicLong forgettings = new AtomicLong();
    private final Counter hits;
    private final Counter misses;

    public SessionCache(MeterRegistry meters) {
        this(meters, MAX_ENTRIES, MAX_AGE, Ticker.systemTicker(), InstantSource.system());
    }

    SessionCache(MeterRegistry meters, int maxEntries, Duration maxAge, Ticker ticker, InstantSource clock) {
        this.clock = clock;
        this.sessions = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfter(Expiry.<TokenHash, Session>writing((hash, session) -> {
                    Duration untilExpiry = untilExpiry(session);
                    return untilExpiry.compareTo(maxAge) < 0 ? untilExpiry : maxAge;
                }))
                .ticker(ticker)
                .build();
        this.hits = requests(meters, "hit");
        this.misses = requests(meters, "miss");
        Gauge.builder(MetricNames.SESSION_CACHE_ENTRIES, sessions, Cache::estimatedSize)
                .description("sessions held by this node's cache").register(meters);
    }

    private static Counter requests(MeterRegistry meters, String result) {
        return Counter.builder(MetricNames.SESSION_CACHE_REQUESTS)
                .description("token checks answered from this node's session cache (hit) or by the database (miss)")
                .tag("result", result).register(meters);
    }

    /** The session of {@code tokenHash}: from the cache, or from {@code lookup} (the database), then kept. */
    Optional<Session> find(byte[] tokenHash, Supplier<Optional<Session>> lookup) {
        return find(tokenHash, forgottenBefore -> lookup.get());
    }

    /**
     * As {@link #find(byte[], Supplier)}, with {@code lookup} told how many revocations and losses this cache had
     * heard when it was asked: a lookup it shares with other callers may only be one asked for since as many
     * ({@link SessionLookups.Key}).
     */
    Optional<Session> find(byte[] tokenHash, LongFunction<Optional<Session>> lookup) {
        TokenHash key = new TokenHash(tokenHash);
        Session cached = sessions.getIfPresent(key);
        if (cached != null) {
            hits.increment();
            return Optional.of(cached);
        }
        misses.increment();
        long forgottenBefore = forgettings.get();
        Optional<Session> found = lookup.apply(forgottenBefore);
        // PostgreSQL's clock found the session unexpired; this node's clock may be a little ahead.
        found.filter(session -> untilExpiry(session).isPositive()).ifPresent(session -> {
            sessions.put(key, session);
            // A revocation or loss heard during the lookup may have been applied before the put: undo it. Checked
            // after the put, so that one applied after the check removes the entry itself.
            if (forgettings.get() != forgottenBefore) {
                sessions.asMap().remove(key, session);
            }
        });
        return found;
    }

    private Duration untilExpiry(Session session) {
        return Duration.between(clock.instant(), session.expiresAt());
    }

    /** The session was revoked: its token must not pass here again. */
    void forget(byte[] tokenHash) {
        forgettings.incrementAndGet();
        sessions.invalidate(new TokenHash(tokenHash));
    }

    /**
     * Every session of the user but the one of {@code keptTokenHash} (all when null) was revoked, or the user was
     * deactivated. A walk over the whole cache: rare (a password change, a deactivation), and cheaper than keeping an
     * index by user that every lookup would have to maintain.
     */
    void forgetAllOf(long userId, byte[] keptTokenHash) {
        forgettings.incrementAndGet();
        TokenHash kept = keptTokenHash == null ? null : new TokenHash(keptTokenHash);
        sessions.asMap().entrySet().removeIf(entry -> entry.getValue().user().id() == userId
                && !entry.getKey().equals(kept));
    }

    void forgetAll() {
        forgettings.incrementAndGet();
        sessions.invalidateAll();
    }

    @Override
    public void onEvent(DomainEvent event) {
        if (event instanceof DomainEvent.SessionRevoked revoked) {
            forget(revoked.tokenHash());
        } else if (event instanceof DomainEvent.UserSessionsRevoked revoked) {
            forgetAllOf(revoked.userId(), revoked.keptTokenHash());
        }
    }

    @Override
    public void onMessageCommitted(long conversationId, long seq) {
    }

    @Override
    public void onMessageChangeCommitted(long conversationId, long changeSeq) {
    }

    /** A revocation may have been among the lost events, and there is no telling which: start over. */
    @Override
    public void onPossibleLoss() {
        forgetAll();
    }
}
