package dev.courier.accounts;

import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes revoked sessions stop working everywhere, once their rows are deleted (or their user deactivated): this node's
 * cache forgets them at once, and the bus carries the revocation to every node, whose cache forgets them and whose
 * streams opened with them close with 4001. Each call returns once the bus has confirmed it carried the revocation,
 * or after {@link #CARRIED_WITHIN}: a client's next request is then refused on whichever node it reaches.
 *
 * <p>Should the bus lose the revocation, another node's cache still drops the session within
 * {@link SessionCache#MAX_AGE}, and its streams close when the bus reports the loss (the hub then asks the database
 * which sessions stand). Repeating the action that revoked (a deactivation, a password change) publishes again.
 */
final class SessionRevocation {

    private static final Logger log = LoggerFactory.getLogger(SessionRevocation.class);
    /**
     * How long a revocation waits for the bus. It normally takes milliseconds; the bound keeps a request from hanging
     * on a bus that is down.
     */
    private static final Duration CARRIED_WITHIN = Duration.ofSeconds(1);

    private final EventSink events;
    private final SessionCache cache;

    SessionRevocation(EventSink events, SessionCache cache) {
        this.events = events;
        this.cache = cache;
    }

    /** One session of the user was revoked. */
    void revoked(long userId, byte[] tokenHash) {
        cache.forget(tokenHash);
        carry(new DomainEvent.SessionRevoked(userId, tokenHash));
    }

    /**
     * Every session of the user but the one of {@code keptTokenHash} (all when null) was revoked, or no session of the
     * user may pass any more (a deactivation).
     */
    void allRevoked(long userId, byte[] keptTokenHash) {
        cache.forgetAllOf(userId, keptTokenHash);
        carry(new DomainEvent.UserSessionsRevoked(userId, keptTokenHash));
    }

    private void carry(DomainEvent event) {
        if (!events.publishAndAwaitCarried(event, CARRIED_WITHIN)) {
            log.warn("the bus did not confirm a session revocation within {} ms; other nodes may accept the token "
                    + "for up to {} s", CARRIED_WITHIN.toMillis(), SessionCache.MAX_AGE.toSeconds());
        }
    }
}
