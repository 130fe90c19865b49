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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /v1/stream?echo=false}: a stream whose own sends come back as their ack only. */
class StreamEchoTest {

    @RegisterExtension
    static final TestServerExtension sharedServer = TestServerExtension.configuredBy(TestServer::patientPool);

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aStreamWithoutEchoGetsItsOwnSendsAckOnlyWhileTheSendersOtherStreamsAndTheOtherMembersGetTheMessage() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        TestUser aliceElsewhere = api.login(alice.username());
        try (StreamClient quiet = StreamClient.connect(server.baseUrl(), alice.token(), "echo=false");
             StreamClient other = StreamClient.connect(server.baseUrl(), aliceElsewhere.token());
             StreamClient b = StreamClient.connect(server.baseUrl(), bob.token())) {
            String id = UUID.randomUUID().toString();
            quiet.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", id, "body", "hi"));

            assertThat(b.nextOfType("message", WAIT).path("message").path("clientMsgId").asText()).isEqualTo(id);
            assertThat(other.nextOfType("message", WAIT).path("message").path("clientMsgId").asText()).isEqualTo(id);
            // the delivery above has happened on every stream; a pong after it means nothing else is on its way
            assertThat(ownFrames(quiet)).containsExactly("ack", "pong");

            JsonNode fromBob = sendOverRest(bob, conversation, "and you?");
            assertThat(quiet.nextOfType("message", WAIT).path("message").path("seq").asLong())
                    .as("messages of others still arrive").isEqualTo(fromBob.path("seq").asLong());
        }
    }

    @Test
    void aStreamWithoutEchoStillGetsWhatItsUserSentElsewhere() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        try (StreamClient quiet = StreamClient.connect(server.baseUrl(), alice.token(), "echo=false")) {
            JsonNode sent = sendOverRest(alice, conversation, "from my laptop");
            assertThat(quiet.nextOfType("message", WAIT).path("message").path("seq").asLong())
                    .isEqualTo(sent.path("seq").asLong());
        }
    }

    @Test
    void aSendRepeatedWithItsClientMsgIdIsAckedAgainAndTheNextSendIsStillSparedOnce() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        try (StreamClient quiet = StreamClient.connect(server.baseUrl(), alice.token(), "echo=false");
             StreamClient b = StreamClient.connect(server.baseUrl(), bob.token())) {
            String id = UUID.randomUUID().toString();
            Map<String, Object> send = Map.of("type", "send", "conversationId", conversation, "clientMsgId", id,
                    "body", "once");
            quiet.send(send);
            assertThat(ownFrames(quiet)).containsExactly("ack", "pong");
            quiet.send(send);
            assertThat(ownFrames(quiet)).containsExactly("ack", "pong");

            String next = UUID.randomUUID().toString();
            quiet.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", next, "body", "twice"));
            b.messagesUntil(list -> list.size() >= 2, WAIT);
            assertThat(ownFrames(quiet)).containsExactly("ack", "pong");
        }
    }

    @Test
    void anEchoThatIsNeitherTrueNorFalseRefusesTheUpgrade() {
        TestUser alice = api.newUser("alice");
        try {
            StreamClient.open(server.baseUrl(), alice.token(), false, "echo=maybe").close();
            throw new AssertionError("upgrade accepted with echo=maybe");
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(400);
        }
    }

    /** The frames up to a pong, but for presence: the other members coming online is not what is tested here. */
    private static List<String> ownFrames(StreamClient stream) {
        return stream.typesUntilPong(WAIT).stream().filter(type -> !type.equals("presence")).toList();
    }

    private static JsonNode sendOverRest(TestUser user, long conversation, String body) {
        ApiClient.Response response = api.sendMessage(user, conversation, body);
        assertThat(response.status()).isEqualTo(201);
        return response.json();
    }
}
