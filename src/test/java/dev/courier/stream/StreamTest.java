package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stream protocol on one node: frames, sends over the socket, close codes. */
class StreamTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final TestServerExtension sharedServer =
            TestServerExtension.configuredBy(cfg -> cfg.withStream(cfg.stream().withMaxQueuedFrames(50)));
    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    @Test
    void aSendOverTheSocketIsAckedAndReachesEveryDeviceOfBothMembers() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        TestUser aliceOtherDevice = api.login(alice.username());
        try (StreamClient a = StreamClient.connect(server.baseUrl(), alice.token());
             StreamClient a2 = StreamClient.connect(server.baseUrl(), aliceOtherDevice.token());
             StreamClient b = StreamClient.open(server.baseUrl(), bob.token(), true)) {
            assertThat(b.next(WAIT).path("type").asText()).isEqualTo("ready");
            String clientMsgId = UUID.randomUUID().toString();
            a.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", clientMsgId, "body", "hi"));

            JsonNode ack = a.nextOfType("ack", WAIT);
            assertThat(ack.path("clientMsgId").asText()).isEqualTo(clientMsgId);
            assertThat(ack.path("message").path("seq").asLong()).isEqualTo(1);
            for (StreamClient device : new StreamClient[] {a2, b}) {
                JsonNode message = device.nextOfType("message", WAIT).path("message");
                assertThat(message.path("body").asText()).isEqualTo("hi");
                assertThat(message.path("senderId").asLong()).isEqualTo(alice.id());
                assertThat(message.path("seq").asLong()).isEqualTo(1);
            }
        }
    }

    @Test
    void sendsInARowAreAllAnsweredBeforeThePingThatFollowsThem() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long withBob = api.direct(alice, bob);
        long group = api.group(alice, "many sends", bob);
        try (StreamClient a = StreamClient.connect(server.baseUrl(), alice.token())) {
            Set<String> sent = new HashSet<>();
            for (int i = 0; i < 3 * StreamConnection.MAX_SENDS_IN_FLIGHT; i++) {
                String id = UUID.randomUUID().toString();
                sent.add(id);
                a.send(Map.of("type", "send", "conversationId", i % 2 == 0 ? withBob : group, "clientMsgId", id,
                        "body", "number " + i));
            }
            a.send(Map.of("type", "send", "conversationId", withBob, "clientMsgId", "not a uuid", "body", "x"));
            a.send(Map.of("type", "ping"));

            List<JsonNode> answers = new ArrayList<>();
            while (answers.isEmpty() || !answers.getLast().path("type").asText().equals("pong")) {
                JsonNode frame = a.next(WAIT);
                if (!frame.path("type").asText().equals("message")) {
                    answers.add(frame);
                }
            }
            assertThat(answers.getLast().path("type").asText()).isEqualTo("pong");
            assertThat(answers.get(answers.size() - 2).path("error").path("field").asText()).isEqualTo("clientMsgId");
            assertThat(answers.subList(0, answers.size() - 2)).allSatisfy(f -> assertThat(f.path("type").asText())
                    .isEqualTo("ack")).extracting(f -> f.path("clientMsgId").asText())
                    .containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    @Test
    void aSendOverTheSocketFollowsTheRestRules() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        TestUser stranger = api.newUser("eve");
        long conversation = api.direct(alice, bob);
        try (StreamClient a = StreamClient.connect(server.baseUrl(), alice.token());
             StreamClient e = StreamClient.connect(server.baseUrl(), stranger.token())) {
            String id = UUID.randomUUID().toString();
            a.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", id, "body", "   "));
            JsonNode error = a.nextOfType("error", WAIT);
            assertThat(error.path("clientMsgId").asText()).isEqualTo(id);
            assertThat(error.path("error").path("code").asText()).isEqualTo("validation_failed");
            assertThat(error.path("error").path("field").asText()).isEqualTo("body");

            a.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", id, "body", "first"));
            long seq = a.nextOfType("ack", WAIT).path("message").path("seq").asLong();
            a.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", id, "body", "first"));
            assertThat(a.nextOfType("ack", WAIT).path("message").path("seq").asLong()).isEqualTo(seq);
            a.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", id, "body", "other"));
            assertThat(a.nextOfType("error", WAIT).path("error").path("code").asText()).isEqualTo("client_msg_id_reused");

            e.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", UUID.randomUUID().toString(),
                    "body", "let me in"));
            assertThat(e.nextOfType("error", WAIT).path("error").path("code").asText()).isEqualTo("not_found");

            a.send("{not json");
            JsonNode malformed = a.nextOfType("error", WAIT);
            assertThat(malformed.path("error").path("code").asText()).isEqualTo("malformed_json");
            assertThat(malformed.path("clientMsgId").isNull()).isTrue();

            a.send(Map.of("type", "ping"));
            assertThat(a.nextOfType("pong", WAIT)).isNotNull();
        }
    }

    @Test
    void readMarkersReachTheOtherMember() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        api.sendMessage(alice, conversation, "read me");
        try (StreamClient a = StreamClient.connect(server.baseUrl(), alice.token());
             StreamClient b = StreamClient.connect(server.baseUrl(), bob.token())) {
            b.send(Map.of("type", "read", "conversationId", conversation, "seq", 1));
            JsonNode read = a.nextOfType("read", WAIT);
            assertThat(read.path("conversationId").asLong()).isEqualTo(conversation);
            assertThat(read.path("userId").asLong()).isEqualTo(bob.id());
            assertThat(read.path("seq").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aNewConversationIsAnnouncedToItsMembers() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        try (StreamClient b = StreamClient.connect(server.baseUrl(), bob.token())) {
            long group = api.group(alice, "plans", bob);
            JsonNode conversation = b.nextOfType("conversation", WAIT).path("conversation");
            assertThat(conversation.path("id").asLong()).isEqualTo(group);
            assertThat(conversation.path("title").asText()).isEqualTo("plans");
            api.sendMessage(alice, group, "welcome");
            assertThat(b.nextOfType("message", WAIT).path("message").path("body").asText()).isEqualTo("welcome");
        }
    }

    @Test
    void logoutClosesTheStreamWith4001AndLeavesOtherSessionsOpen() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        TestUser aliceOtherDevice = api.login(alice.username());
        try (StreamClient revoked = StreamClient.connect(server.baseUrl(), alice.token());
             StreamClient kept = StreamClient.connect(server.baseUrl(), aliceOtherDevice.token())) {
            assertThat(api.delete("/v1/sessions/current", alice.token()).status()).isEqualTo(204);
            assertThat(revoked.awaitClose(WAIT)).isEqualTo(4001);
            api.sendMessage(bob, conversation, "still here?");
            assertThat(kept.nextOfType("message", WAIT).path("message").path("body").asText()).isEqualTo("still here?");
            assertThat(kept.isClosed()).isFalse();
        }
    }

    @Test
    void anUpgradeWithoutAValidTokenIsRefusedWith401() {
        for (String token : new String[] {null, "not-a-token"}) {
            try {
                StreamClient.open(server.baseUrl(), token, false).close();
                throw new AssertionError("upgrade accepted with token " + token);
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
                assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(401);
            }
        }
    }

    @Test
    void oneUserCannotOpenMoreStreamsThanTheCapOnANode() {
        TestUser user = api.newUser("many");
        int cap = server.config().security().stream().maxStreamsPerUser();
        List<StreamClient> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < cap; i++) {
                open.add(StreamClient.connect(server.baseUrl(), user.token()));
            }
            try {
                StreamClient.open(server.baseUrl(), user.token(), false).close();
                throw new AssertionError("stream " + (cap + 1) + " was accepted");
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
                assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(429);
            }
            // another user is not affected
            StreamClient.connect(server.baseUrl(), api.newUser("other").token()).close();
        } finally {
            open.forEach(StreamClient::close);
        }
    }

    @Test
    void aConsumerThatStopsReadingIsClosedWith4008() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        // Three bytes each in UTF-8: ~12 KB frames fill the socket buffers on both sides, then the 50-frame queue.
        String big = "\u20ac".repeat(3_900);
        try (StreamClient slow = StreamClient.connect(server.baseUrl(), bob.token())) {
            slow.stopReading();
            int sent = 0;
            while (sent < 3_000 && !serverClosedSlowConsumer()) {
                List<Integer> statuses = IntStream.range(0, 40).parallel()
                        .mapToObj(i -> api.sendMessage(alice, conversation, big + i).status()).toList();
                assertThat(statuses).containsOnly(201);
                sent += statuses.size();
            }
            assertThat(serverClosedSlowConsumer()).as("closed after %d messages", sent).isTrue();
            slow.resumeReading();
            assertThat(slow.awaitClose(Duration.ofSeconds(20))).isEqualTo(4008);
            long received = slow.drain().stream().filter(f -> f.path("type").asText().equals("message")).count();
            assertThat(received).isLessThan(sent);
        }
    }

    private static boolean serverClosedSlowConsumer() {
        String metrics = api.get("/metrics", null).body();
        return metrics.lines().anyMatch(l -> l.startsWith("courier_stream_slow_consumers_total")
                && !l.endsWith(" 0.0"));
    }
}
