package dev.courier.retention;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.RetentionConfig;
import dev.courier.events.EventSink;
import dev.courier.messages.Tombstones;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@code serve --retention}: old messages become tombstones in bounded batches, as a delete makes them. */
class RetentionPurgeTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final RetentionConfig ONE_DAY = RetentionConfig.off().withMaxAge(Duration.ofDays(1));

    /** Messages 1..{@code old} of the conversation are two days old. */
    private static void age(TestServer server, long conversation, int old) {
        server.execute("UPDATE messages SET created_at = now() - interval '2 days' WHERE conversation_id = "
                + conversation + " AND seq <= " + old);
    }

    @Test
    void everyBatchStaysWithinItsSizeAndOnlyExpiredMessagesGo() {
        try (TestServer server = TestServer.start()) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long direct = api.direct(alice, bob);
            for (int i = 1; i <= 40; i++) {
                assertThat(api.sendMessage(i % 2 == 0 ? alice : bob, direct, "message " + i).status()).isEqualTo(201);
            }
            age(server, direct, 30);
            List<Integer> batchSizes = new CopyOnWriteArrayList<>();
            RetentionPurge purge = RetentionPurge.manual(server.server().database(),
                    new Tombstones(EventSink.discarding(), (h, ids) -> batchSizes.add(ids.size())),
                    ONE_DAY.withBatches(7, Duration.ZERO));

            assertThat(purge.purgeOnce()).isEqualTo(30);
            assertThat(batchSizes).containsExactly(7, 7, 7, 7, 2);
            assertThat(purge.purgeOnce()).as("nothing left to purge").isZero();

            JsonNode history = api.get("/v1/conversations/" + direct + "/messages?limit=100", alice.token()).json()
                    .path("messages");
            assertThat(history).extracting(m -> m.path("seq").asInt()).containsExactlyElementsOf(
                    java.util.stream.IntStream.rangeClosed(1, 40).boxed().toList());
            for (JsonNode message : history) {
                boolean expired = message.path("seq").asInt() <= 30;
                assertThat(message.path("body").asText().isEmpty()).as(message.toString()).isEqualTo(expired);
                assertThat(message.path("deletedAt").isNull()).isEqualTo(!expired);
            }
            // the changes are numbered like any delete: a client that was away catches up with changedAfter
            JsonNode changes = api.changesAfter(alice, direct, 0, 500).json().path("messages");
            assertThat(changes).extracting(m -> m.path("changeSeq").asInt()).containsExactlyElementsOf(
                    java.util.stream.IntStream.rangeClosed(1, 30).boxed().toList());
        }
    }

    @Test
    void aBatchIsFollowedByFourTimesItsOwnLengthAtLeastTheConfiguredPause() {
        assertThat(RetentionPurge.pauseAfter(Duration.ofMillis(10), Duration.ofMillis(100)))
                .isEqualTo(Duration.ofMillis(100));
        assertThat(RetentionPurge.pauseAfter(Duration.ofMillis(80), Duration.ofMillis(100)))
                .isEqualTo(Duration.ofMillis(320));
    }

    @Test
    void aServerWithRetentionTombstonesOldMessagesAndMembersStreamsHearOfEach() {
        RetentionConfig fast = ONE_DAY.withBatches(5, Duration.ofMillis(10)).withIdleCheck(Duration.ofMillis(200));
        try (TestServer server = TestServer.start(config -> config.withRetention(fast))) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long group = api.group(alice, "old news", bob);
            for (int i = 1; i <= 12; i++) {
                assertThat(api.sendMessage(alice, group, "message " + i).status()).isEqualTo(201);
            }
            try (StreamClient bobStream = StreamClient.connect(server.baseUrl(), bob.token())) {
                age(server, group, 9);
                List<JsonNode> changed = bobStream.changesUntil(list -> list.size() >= 9, WAIT);
                assertThat(changed).extracting(m -> m.path("seq").asInt())
                        .containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9);
                assertThat(changed).extracting(m -> m.path("changeSeq").asInt())
                        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
                assertThat(changed).allSatisfy(m -> assertThat(m.path("body").asText()).isEmpty());
                // the newer ones stay, and sends go on with the next seq
                assertThat(api.sendMessage(bob, group, "still here").json().path("seq").asInt()).isEqualTo(13);
            }
            assertThat(server.queryLong("SELECT count(*) FROM messages WHERE conversation_id = " + group
                    + " AND deleted_at IS NULL")).isEqualTo(4);
        }
    }
}
