package dev.courier.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.courier.events.DomainEvent;
import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SessionCacheTest {

    /** One clock for the cache's expiry (a ticker) and for sessions' expiry (an instant), moved by hand. */
    private static final class ManualTime implements Ticker, InstantSource {
        private final Instant start = Instant.parse("2026-01-01T00:00:00Z");
        private long nanos;

        void advance(Duration by) {
            nanos += by.toNanos();
        }

        @Override
        public long read() {
            return nanos;
        }

        @Override
        public Instant instant() {
            return start.plusNanos(nanos);
        }
    }

    /** The database's answer for one token, counting how often it is asked. */
    private static final class Lookup implements Supplier<Optional<Session>> {
        private final AtomicInteger calls = new AtomicInteger();
        private volatile Optional<Session> answer;

        Lookup(Session session) {
            this.answer = Optional.of(session);
        }

        @Override
        public Optional<Session> get() {
            calls.incrementAndGet();
            return answer;
        }
    }

    private final ManualTime time = new ManualTime();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final SessionCache cache = new SessionCache(meters, 1_000, SessionCache.MAX_AGE, time, time);

    private Session sessionExpiringIn(Duration validFor) {
        byte[] hash = new byte[32];
        ThreadLocalRandom.current().nextBytes(hash);
        User user = new User(ThreadLocalRandom.current().nextLong(1, 1_000_000), "user", "User", time.instant());
        return new Session(user, hash, time.instant().plus(validFor));
    }

    private double requests(String result) {
        return meters.get(MetricNames.SESSION_CACHE_REQUESTS).tag("result", result).counter().count();
    }

    @Test
    void aSessionFoundOnceIsAnsweredFromTheCacheAfterwards() {
        Session session = sessionExpiringIn(Duration.ofHours(1));
        Lookup lookup = new Lookup(session);

        assertThat(cache.find(session.tokenHash(), lookup)).containsSame(session);
        assertThat(cache.find(session.tokenHash().clone(), lookup)).containsSame(session);

        assertThat(lookup.calls).hasValue(1);
        assertThat(requests("miss")).isEqualTo(1);
        assertThat(requests("hit")).isEqualTo(1);
    }

    @Test
    void revokingAUsersSessionsForgetsAllOfThemButTheKeptOneAndNoOtherUsers() {
        Session kept = sessionExpiringIn(Duration.ofHours(1));
        User user = kept.user();
        Session other = new Session(user, new byte[] {1, 2, 3}, kept.expiresAt());
        Session someoneElse = sessionExpiringIn(Duration.ofHours(1));
        for (Session session : java.util.List.of(kept, other, someoneElse)) {
            cache.find(session.tokenHash(), new Lookup(session));
        }

        cache.onEvent(new dev.courier.events.DomainEvent.UserSessionsRevoked(user.id(), kept.tokenHash().clone()));

        Lookup keptLookup = new Lookup(kept);
        Lookup otherLookup = new Lookup(other);
        Lookup elseLookup = new Lookup(someoneElse);
        cache.find(kept.tokenHash(), keptLookup);
        cache.find(other.tokenHash(), otherLookup);
        cache.find(someoneElse.tokenHash(), elseLookup);
        assertThat(keptLookup.calls).as("kept: still cached").hasValue(0);
        assertThat(otherLookup.calls).as("revoked: asked again").hasValue(1);
        assertThat(elseLookup.calls).as("another user's: still cached").hasValue(0);

        cache.onEvent(new dev.courier.events.DomainEvent.UserSessionsRevoked(user.id(), null));
        cache.find(kept.tokenHash(), keptLookup);
        assertThat(keptLookup.calls).as("all of the user's, with none kept").hasValue(1);
    }

    @Test
    void anUnknownTokenIsAskedForEveryTime() {
        Lookup lookup = new Lookup(sessionExpiringIn(Duration.ofHours(1)));
        lookup.answer = Optional.empty();
        byte[] unknown = new byte[32];

        assertThat(cache.find(unknown, lookup)).isEmpty();
        assertThat(cache.find(unknown, lookup)).isEmpty();

        assertThat(lookup.calls).hasValue(2);
    }

    @Test
    void aSessionIsNotAnsweredFromTheCacheOnceItHasExpired() {
        Session session = sessionExpiringIn(Duration.ofSeconds(2));
        Lookup lookup = new Lookup(session);
        cache.find(session.tokenHash(), lookup);

        time.advance(Duration.ofMillis(1_999));
        assertThat(cache.find(session.tokenHash(), lookup)).containsSame(session);
        assertThat(lookup.calls).hasValue(1);

        time.advance(Duration.ofMillis(1));
        lookup.answer = Optional.empty(); // what the database says of an expired session
        assertThat(cache.find(session.tokenHash(), lookup)).isEmpty();
        assertThat(lookup.calls).hasValue(2);
    }

    @Test
    void aSessionIsAskedForAgainAfterTheMaximumAge() {
        Session session = sessionExpiringIn(Duration.ofHours(1));
        Lookup lookup = new Lookup(session);
        cache.find(session.tokenHash(), lookup);

        time.advance(SessionCache.MAX_AGE.minusMillis(1));
        cache.find(session.tokenHash(), lookup);
        assertThat(lookup.calls).hasValue(1);

        time.advance(Duration.ofMillis(1));
        cache.find(session.tokenHash(), lookup);
        assertThat(lookup.calls).hasValue(2);
    }

    @Test
    void aRevocationFromTheBusDropsThatSessionAndNoOther() {
        Session revoked = sessionExpiringIn(Duration.ofHours(1));
        Session kept = sessionExpiringIn(Duration.ofHours(1));
        Lookup revokedLookup = new Lookup(revoked);
        Lookup keptLookup = new Lookup(kept);
        cache.find(revoked.tokenHash(), revokedLookup);
        cache.find(kept.tokenHash(), keptLookup);

        cache.onEvent(new DomainEvent.SessionRevoked(revoked.user().id(), revoked.tokenHash().clone()));
        revokedLookup.answer = Optional.empty();

        assertThat(cache.find(revoked.tokenHash(), revokedLookup)).isEmpty();
        assertThat(cache.find(kept.tokenHash(), keptLookup)).containsSame(kept);
        assertThat(revokedLookup.calls).hasValue(2);
        assertThat(keptLookup.calls).hasValue(1);
    }

    @Test
    void afterAPossibleLossOfTheBusEverySessionIsAskedForAgain() {
        List<Session> sessions = new ArrayList<>();
        List<Lookup> lookups = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sessions.add(sessionExpiringIn(Duration.ofHours(1)));
            lookups.add(new Lookup(sessions.get(i)));
            cache.find(sessions.get(i).tokenHash(), lookups.get(i));
        }

        cache.onPossibleLoss();

        for (int i = 0; i < 3; i++) {
            cache.find(sessions.get(i).tokenHash(), lookups.get(i));
            assertThat(lookups.get(i).calls).as("session %d", i).hasValue(2);
        }
    }

    @Test
    void aLookupOverlappingTheRevocationOfItsSessionIsNotKept() {
        Session session = sessionExpiringIn(Duration.ofHours(1));
        // The revocation arrives after the database answered, before the answer is cached.
        Supplier<Optional<Session>> readBeforeTheRevocation = () -> {
            cache.forget(session.tokenHash());
            return Optional.of(session);
        };

        assertThat(cache.find(session.tokenHash(), readBeforeTheRevocation)).containsSame(session);

        Lookup afterwards = new Lookup(session);
        afterwards.answer = Optional.empty();
        assertThat(cache.find(session.tokenHash(), afterwards)).isEmpty();
    }

    /**
     * Threads look a session up while it is revoked: the revocation deletes the row (a flag here), then the bus tells
     * the cache. However their reads, puts and the revocation interleave, none may leave the session cached.
     */
    @Test
    void aRevokedSessionNeverStaysCachedWhateverTheInterleavingOfConcurrentLookups() throws Exception {
        for (int round = 0; round < 500; round++) {
            Session session = sessionExpiringIn(Duration.ofHours(1));
            AtomicBoolean rowDeleted = new AtomicBoolean();
            Supplier<Optional<Session>> database = () -> {
                Optional<Session> answer = rowDeleted.get() ? Optional.empty() : Optional.of(session);
                spin(200); // a round trip's worth of time between reading the row and caching it
                return answer;
            };
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> lookers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                lookers.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    cache.find(session.tokenHash(), database);
                }));
            }
            go.countDown();
            spin(300);
            rowDeleted.set(true);
            cache.forget(session.tokenHash());
            for (Thread looker : lookers) {
                looker.join();
            }

            Lookup afterwards = new Lookup(session);
            afterwards.answer = Optional.empty();
            assertThat(cache.find(session.tokenHash(), afterwards)).as("round %d", round).isEmpty();
        }
    }

    private static void spin(int atMost) {
        for (int i = ThreadLocalRandom.current().nextInt(atMost); i > 0; i--) {
            Thread.onSpinWait();
        }
    }
}
