package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Concurrently;
import dev.courier.testing.StreamClient;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Changes to messages on the stream of one node: message_changed frames, replies over the socket, catching up. */
class MessageChangesStreamTest {

    @RegisterExtension
    static final TestServerExtension sharedServer = TestServerExtension.configuredBy(TestServer::patientPool);

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void everyChangeReachesEveryConnectionOfEveryMemberAsTheMessageAfterIt() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        TestUser aliceElsewhere = api.login(alice.username());
        assertThat(api.sendMessage(alice, conversation, "helo").status()).isEqualTo(201);
        try (StreamClient a = StreamClient.connect(server.baseUrl(), alice.token());
             StreamClient a2 = StreamClient.connect(server.baseUrl(), aliceElsewhere.token());
             StreamClient b = StreamClient.connect(server.baseUrl(), bob.token())) {
            JsonNode edited = api.editMessage(alice, conversation, 1, "hello").json();
            assertThat(api.react(bob, conversation, 1, "\uD83D\uDC4B").status()).isEqualTo(204);
            assertThat(api.deleteMessage(alice, conversation, 1).status()).isEqualTo(204);

            for (StreamClient stream : List.of(a, a2, b)) {
                List<JsonNode> changes = stream.changesUntil(list -> list.size() >= 3, WAIT);
                assertThat(changes).extracting(m -> m.path("changeSeq").asLong()).containsExactly(1L, 2L, 3L);
                assertThat(changes.get(0)).isEqualTo(edited);
                assertThat(changes.get(1).path("reactions").get(0).path("emoji").asText()).isEqualTo("\uD83D\uDC4B");
                assertThat(changes.get(2).path("body").asText()).isEmpty();
                assertThat(changes.get(2).path("deletedAt").isTextual()).isTrue();
                assertThat(changes.get(2).path("reactions")).isEmpty();
            }
        }
    }

    @Test
    void aReplyOverTheSocketIsAckedWithItsReplyToAndOneToNothingIsRefusedNamingTheField() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        assertThat(api.sendMessage(bob, conversation, "a question").status()).isEqualTo(201);
        try (StreamClient a = StreamClient.connect(server.baseUrl(), alice.token())) {
            String reply = UUID.randomUUID().toString();
            a.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", reply, "body", "an answer",
                    "replyTo", 1));
            JsonNode ack = a.nextOfType("ack", WAIT);
            assertThat(ack.path("clientMsgId").asText()).isEqualTo(reply);
            assertThat(ack.path("message").path("replyTo").asLong()).isEqualTo(1);

            String astray = UUID.randomUUID().toString();
            a.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", astray, "body", "to nothing",
                    "replyTo", 7));
            JsonNode error = a.nextOfType("error", WAIT);
            assertThat(error.path("clientMsgId").asText()).isEqualTo(astray);
            assertThat(error.path("error").path("code").asText()).isEqualTo("validation_failed");
            assertThat(error.path("error").path("field").asText()).isEqualTo("replyTo");
        }
        assertThat(server.queryLong("SELECT last_seq FROM conversations WHERE id = " + conversation)).isEqualTo(2);
    }

    @Test
    void aClientAwayDuringTenEditsAndADeleteLearnsThemAllWithOneChangedAfterRequest() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        for (int i = 1; i <= 5; i++) {
            assertThat(api.sendMessage(alice, conversation, "message " + i).status()).isEqualTo(201);
        }
        long changeSeqKnown;
        try (StreamClient b = StreamClient.connect(server.baseUrl(), bob.token())) {
            assertThat(api.editMessage(alice, conversation, 1, "message 1, fixed").status()).isEqualTo(200);
            changeSeqKnown = b.nextOfType("message_changed", WAIT).path("message").path("changeSeq").asLong();
        }

        // Bob is away: ten edits over four messages, then a delete.
        Map<Long, String> finalBodies = new HashMap<>();
        for (int i = 1; i <= 10; i++) {
            long seq = 1 + i % 4;
            String body = "message " + seq + ", edit " + i;
            assertThat(api.editMessage(alice, conversation, seq, body).status()).isEqualTo(200);
            finalBodies.put(seq, body);
        }
        assertThat(api.deleteMessage(alice, conversation, 5).status()).isEqualTo(204);

        JsonNode view = api.get("/v1/conversations/" + conversation, bob.token()).json();
        Response caughtUp = api.changesAfter(bob, conversation, changeSeqKnown, 500);

        assertThat(view.path("lastChangeSeq").asLong()).isEqualTo(12);
        JsonNode page = caughtUp.json();
        assertThat(page.path("hasMore").asBoolean()).isFalse();
        List<JsonNode> changed = new ArrayList<>();
        page.path("messages").forEach(changed::add);
        assertThat(changed).extracting(m -> m.path("seq").asLong()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
        assertThat(changed).extracting(m -> m.path("changeSeq").asLong()).isSorted().last().isEqualTo(12L);
        for (JsonNode message : changed) {
            long seq = message.path("seq").asLong();
            if (seq == 5) {
                assertThat(message.path("deletedAt").isTextual()).isTrue();
                assertThat(message.path("body").asText()).isEmpty();
            } else {
                assertThat(message.path("body").asText()).isEqualTo(finalBodies.get(seq));
            }
        }
        // what the page shows is what history shows now
        JsonNode history = api.get("/v1/conversations/" + conversation + "/messages", bob.token()).json();
        for (JsonNode message : changed) {
            assertThat(history.path("messages").get((int) message.path("seq").asLong() - 1)).isEqualTo(message);
        }
    }

    @Test
    void concurrentChangesReachEachStreamEachOnceInChangeSeqOrderEndingWithTheStoredState() throws Exception {
        TestUser owner = api.newUser("owner");
        List<TestUser> members = api.newUsers("member", 8);
        long group = api.group(owner, "busy", members.toArray(TestUser[]::new));
        for (int i = 0; i < 3; i++) {
            assertThat(api.sendMessage(owner, group, "target " + i).status()).isEqualTo(201);
        }
        List<StreamClient> streams = new ArrayList<>();
        try {
            streams.add(StreamClient.connect(server.baseUrl(), owner.token()));
            for (TestUser member : members.subList(0, 4)) {
                streams.add(StreamClient.connect(server.baseUrl(), member.token()));
            }
            int changes = 40;
            List<Response> answers = Concurrently.run(changes, i -> i % 5 == 0
                    ? api.editMessage(owner, group, 1 + i % 3, "edit " + i)
                    : api.react(members.get(i % members.size()), group, 1 + i % 3, "r" + (i / members.size())));
            assertThat(answers).extracting(Response::status).containsOnly(200, 204);

            Map<Long, JsonNode> stored = new HashMap<>();
            api.get("/v1/conversations/" + group + "/messages", owner.token()).json().path("messages")
                    .forEach(m -> stored.put(m.path("seq").asLong(), m));
            for (StreamClient stream : streams) {
                List<JsonNode> seen = stream.changesUntil(
                        list -> !list.isEmpty() && list.getLast().path("changeSeq").asLong() == changes, WAIT);
                assertThat(seen).extracting(m -> m.path("changeSeq").asLong())
                        .containsExactlyElementsOf(LongStream.rangeClosed(1, changes).boxed().toList());
                Map<Long, JsonNode> latest = new HashMap<>();
                seen.forEach(m -> latest.put(m.path("seq").asLong(), m));
                assertThat(latest).isEqualTo(stored);
            }
        } finally {
            streams.forEach(StreamClient::close);
        }
    }
}
