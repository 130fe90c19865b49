package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.NodeProcess;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Two node processes on one PostgreSQL; one dies by SIGKILL and never closes its streams. Its users go offline for
 * the others once the survivor sweeps its lease: within a lease and a third of one (the contract's 60 s with the
 * default 30 s lease; seconds here, with a short one).
 */
class PresenceNodeCrashTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration LEASE = Duration.ofSeconds(2);

    @Test
    void killingANodeTakesItsUsersOfflineForTheOthersWithinALeaseAndAThird() {
        String database = TestDatabase.freshDatabase().jdbcUrl();
        String[] presence = {"--presence-grace", "1s", "--presence-lease", LEASE.toSeconds() + "s"};
        try (NodeProcess doomed = NodeProcess.start(database, presence);
             NodeProcess survivor = NodeProcess.start(database, presence)) {
            ApiClient api = new ApiClient(survivor.baseUrl());
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            TestUser carol = api.newUser("carol");
            long direct = api.direct(alice, bob);
            api.direct(carol, bob);
            try (StreamClient bobOnSurvivor = StreamClient.connect(survivor.baseUrl(), bob.token());
                 StreamClient aliceOnDoomed = StreamClient.connect(doomed.baseUrl(), alice.token());
                 StreamClient carolOnSurvivor = StreamClient.connect(survivor.baseUrl(), carol.token())) {
                assertThat(PresenceTest.presenceOfEach(bobOnSurvivor, alice, carol).values())
                        .allMatch(frame -> frame.path("online").asBoolean());

                Instant killedAt = Instant.now();
                doomed.kill9();
                assertThat(aliceOnDoomed.awaitClose(WAIT)).isNotEqualTo(1000);

                JsonNode offline = PresenceTest.presenceOf(bobOnSurvivor, alice);
                Duration tookOffline = Duration.between(killedAt, Instant.now());
                assertThat(offline.path("online").asBoolean()).isFalse();
                // a lease and a third, plus a second for a busy machine
                assertThat(tookOffline).isLessThan(LEASE.plus(LEASE.dividedBy(3)).plusSeconds(1));
                // last seen when the dead node last renewed its lease, before it died
                Instant lastSeen = Instant.parse(offline.path("lastSeenAt").asText());
                assertThat(lastSeen).isBefore(killedAt.plusMillis(500)).isAfter(killedAt.minus(LEASE));

                JsonNode aliceAsMember = PresenceTest.member(api.get("/v1/conversations/" + direct, bob.token()).json()
                        .path("members"), alice);
                assertThat(aliceAsMember.path("online").asBoolean()).isFalse();
                // carol, on the node that lives, stays online
                assertThat(bobOnSurvivor.during(Duration.ofSeconds(1))).noneMatch(f -> PresenceTest.isPresenceOf(f, carol));
                assertThat(api.get("/v1/users/" + carol.username(), bob.token()).json().path("online").asBoolean())
                        .isTrue();
            }
        }
    }
}
