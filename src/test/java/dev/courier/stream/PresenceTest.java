package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.PresenceConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.StreamClient;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Presence on one node: who is told, when, and what the user objects say. */
class PresenceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    static final Duration GRACE = Duration.ofSeconds(2);

    @RegisterExtension
    static final TestServerExtension sharedServer = TestServerExtension.configuredBy(cfg -> cfg.withStream(cfg.stream()
            .withPresence(new PresenceConfig(GRACE, Duration.ofSeconds(3)))));
    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    @Test
    void aUsersFirstStreamTellsThoseWhoShareAConversationAndNobodyElse() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        TestUser carol = api.newUser("carol");
        api.direct(alice, bob);
        api.direct(bob, carol);
        try (StreamClient bobWatches = StreamClient.connect(server.baseUrl(), bob.token());
             StreamClient carolWatches = StreamClient.connect(server.baseUrl(), carol.token())) {
            Instant before = Instant.now();
            try (StreamClient a = StreamClient.connect(server.baseUrl(), alice.token())) {
                JsonNode online = presenceOf(bobWatches, alice);
                assertThat(online.path("online").asBoolean()).isTrue();
                assertThat(Instant.parse(online.path("lastSeenAt").asText())).isAfter(before.minusSeconds(5));
                // carol shares no conversation with alice: a second of waiting shows her nothing of alice
                assertThat(carolWatches.during(Duration.ofSeconds(1))).noneMatch(f -> isPresenceOf(f, alice));
                assertThat(a.untilPong(WAIT)).as("alice is not told of herself").noneMatch(f -> isPresenceOf(f, alice));
            }
        }
    }

    @Test
    void theLastStreamClosingTakesTheUserOfflineAfterTheGraceAndAReconnectWithinItShowsNothing() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        api.direct(alice, bob);
        try (StreamClient bobWatches = StreamClient.connect(server.baseUrl(), bob.token())) {
            StreamClient first = StreamClient.connect(server.baseUrl(), alice.token());
            assertThat(presenceOf(bobWatches, alice).path("online").asBoolean()).isTrue();
            TestUser aliceOnPhone = api.login(alice.username());
            try (StreamClient phone = StreamClient.connect(server.baseUrl(), aliceOnPhone.token())) {
                first.close(); // her phone still has a stream: nothing changes
                assertThat(bobWatches.during(GRACE.plusSeconds(1))).noneMatch(f -> isPresenceOf(f, alice));
            }
            // the phone's stream closed too; she comes back within the grace, as after a page reload
            StreamClient again = StreamClient.connect(server.baseUrl(), alice.token());
            assertThat(bobWatches.during(GRACE.plusSeconds(1))).noneMatch(f -> isPresenceOf(f, alice));

            Instant closedAt = Instant.now();
            again.close();
            JsonNode offline = presenceOf(bobWatches, alice);
            Duration after = Duration.between(closedAt, Instant.now());
            assertThat(offline.path("online").asBoolean()).isFalse();
            assertThat(after).isGreaterThanOrEqualTo(GRACE.minusMillis(100));
            Instant lastSeen = Instant.parse(offline.path("lastSeenAt").asText());
            assertThat(Duration.between(closedAt, lastSeen).abs()).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void userObjectsShowPresenceOnlyToThoseWhoShareAConversation() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        TestUser carol = api.newUser("carol");
        long direct = api.direct(alice, bob);
        api.direct(carol, api.newUser("dave"));
        try (StreamClient bobWatches = StreamClient.connect(server.baseUrl(), bob.token());
             StreamClient a = StreamClient.connect(server.baseUrl(), alice.token())) {
            presenceOf(bobWatches, alice);
            JsonNode members = api.get("/v1/conversations/" + direct, bob.token()).json().path("members");
            assertThat(member(members, alice).path("online").asBoolean()).isTrue();
            assertThat(member(members, alice).path("lastSeenAt").isTextual()).isTrue();
            assertThat(member(members, bob).path("online").asBoolean()).isTrue();

            JsonNode seenByBob = api.get("/v1/users/" + alice.username(), bob.token()).json();
            assertThat(seenByBob.path("online").asBoolean()).isTrue();
            JsonNode seenByCarol = api.get("/v1/users/" + alice.username(), carol.token()).json();
            assertThat(seenByCarol.has("online")).isTrue();
            assertThat(seenByCarol.path("online").isNull()).isTrue();
            assertThat(seenByCarol.path("lastSeenAt").isNull()).isTrue();
            assertThat(api.get("/v1/me", alice.token()).json().path("online").isNull()).isTrue();
        }
        awaitOffline(alice, bob);
        JsonNode members = api.get("/v1/conversations/" + direct, bob.token()).json().path("members");
        assertThat(member(members, alice).path("online").asBoolean()).isFalse();
        assertThat(member(members, alice).path("lastSeenAt").isTextual()).isTrue();
        // a user who never had a stream: offline, never seen
        TestUser erin = api.newUser("erin");
        long withErin = api.direct(bob, erin);
        JsonNode erinAsMember = member(api.get("/v1/conversations/" + withErin, bob.token()).json().path("members"), erin);
        assertThat(erinAsMember.path("online").asBoolean()).isFalse();
        assertThat(erinAsMember.path("lastSeenAt").isNull()).isTrue();
    }

    @Test
    void aUserWhoStartsSharingAConversationSeesThePresenceInItsMembers() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        try (StreamClient a = StreamClient.connect(server.baseUrl(), alice.token());
             StreamClient b = StreamClient.connect(server.baseUrl(), bob.token())) {
            // Presence is written behind the stream's opening; the group is made once bob's is.
            awaitStored(bob, true);
            long group = api.group(bob, "new", alice);
            JsonNode conversation = a.nextOfType("conversation", WAIT).path("conversation");
            assertThat(conversation.path("id").asLong()).isEqualTo(group);
            assertThat(member(conversation.path("members"), bob).path("online").asBoolean()).isTrue();
        }
    }

    private static void awaitStored(TestUser user, boolean online) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String sql = "SELECT count(*) FROM user_presence WHERE user_id = " + user.id() + " AND online = " + online;
        while (server.queryLong(sql) == 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        assertThat(server.queryLong(sql)).as("presence of %s stored as online = %s", user.username(), online)
                .isEqualTo(1);
    }

    private static void awaitOffline(TestUser user, TestUser viewer) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode seen = api.get("/v1/users/" + user.username(), viewer.token()).json();
            if (!seen.path("online").asBoolean(true)) {
                return;
            }
            TwoNodeStreamContract.sleepQuietly(100);
        }
        throw new AssertionError(user.username() + " still online after " + WAIT);
    }

    static JsonNode member(JsonNode members, TestUser user) {
        return StreamSupport.stream(members.spliterator(), false).filter(m -> m.path("id").asLong() == user.id())
                .findFirst().orElseThrow(() -> new AssertionError(user.username() + " is not in " + members));
    }

    /** The next presence frame about each of {@code users}, in any order; every other frame is skipped. */
    static Map<Long, JsonNode> presenceOfEach(StreamClient stream, TestUser... users) {
        Map<Long, JsonNode> seen = new java.util.HashMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (seen.size() < users.length) {
            JsonNode frame = stream.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            for (TestUser user : users) {
                if (isPresenceOf(frame, user)) {
                    seen.putIfAbsent(user.id(), frame);
                }
            }
        }
        return seen;
    }

    /** The next presence frame about {@code user}, skipping every other frame. */
    static JsonNode presenceOf(StreamClient stream, TestUser user) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode frame = stream.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (isPresenceOf(frame, user)) {
                assertThat(frame.properties()).extracting(Map.Entry::getKey)
                        .containsExactlyInAnyOrder("type", "userId", "online", "lastSeenAt");
                return frame;
            }
        }
    }

    static boolean isPresenceOf(JsonNode frame, TestUser user) {
        return frame.path("type").asText().equals("presence") && frame.path("userId").asLong() == user.id();
    }
}
