package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.StreamClient;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Typing on one node: relayed to the other members, throttled per connection, refused to non-members. */
@ExtendWith(TestServerExtension.class)
class TypingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    @Test
    void aTypingFrameReachesTheOtherMembersAndNotTheTypistsOwnStreamsNorOutsiders() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        TestUser carol = api.newUser("carol");
        TestUser outsider = api.newUser("outsider");
        long group = api.group(alice, "typing", bob, carol);
        api.direct(alice, outsider);
        TestUser alicesPhone = api.login(alice.username());
        try (StreamClient a = StreamClient.connect(server.baseUrl(), alice.token());
             StreamClient phone = StreamClient.connect(server.baseUrl(), alicesPhone.token());
             StreamClient b = StreamClient.connect(server.baseUrl(), bob.token());
             StreamClient c = StreamClient.connect(server.baseUrl(), carol.token());
             StreamClient o = StreamClient.connect(server.baseUrl(), outsider.token())) {
            a.send(typing(group));
            assertThat(a.typesUntilPong(WAIT)).as("no answer to a typing frame").doesNotContain("typing", "error");
            for (StreamClient member : List.of(b, c)) {
                JsonNode frame = member.nextOfType("typing", WAIT);
                assertThat(frame.path("conversationId").asLong()).isEqualTo(group);
                assertThat(frame.path("userId").asLong()).isEqualTo(alice.id());
                assertThat(frame.properties()).hasSize(3);
            }
            // bob's stream saw the typing frame, so the ones for the others have been handed out too
            for (StreamClient notForThem : List.of(phone, o)) {
                assertThat(notForThem.typesUntilPong(WAIT)).doesNotContain("typing");
            }
        }
    }

    @Test
    void aSecondTypingFrameWithinThreeSecondsIsDroppedSilentlyAndTheNextAfterThemPasses() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long direct = api.direct(alice, bob);
        long group = api.group(alice, "other", bob);
        try (StreamClient a = StreamClient.connect(server.baseUrl(), alice.token());
             StreamClient b = StreamClient.connect(server.baseUrl(), bob.token())) {
            double throttled = api.metric("courier_stream_typing_throttled_total");
            long firstAt = System.nanoTime();
            a.send(typing(direct));
            for (int i = 0; i < 5; i++) {
                a.send(typing(direct));
            }
            a.send(typing(group)); // another conversation has a throttle of its own
            assertThat(a.typesUntilPong(WAIT)).as("no answers, only bob's presence")
                    .allMatch(type -> type.equals("pong") || type.equals("presence"));
            List<JsonNode> seen = typingFrames(b.untilPong(WAIT));
            seen.addAll(typingFrames(b.during(Duration.ofMillis(500))));
            assertThat(seen).extracting(f -> f.path("conversationId").asLong()).containsExactlyInAnyOrder(direct, group);
            assertThat(api.metric("courier_stream_typing_throttled_total")).isEqualTo(throttled + 5);

            long sinceFirst = System.nanoTime() - firstAt;
            TwoNodeStreamContract.sleepQuietly(Math.max(0, (StreamConnection.TYPING_EVERY_NANOS - sinceFirst) / 1_000_000 + 50));
            a.send(typing(direct));
            assertThat(b.nextOfType("typing", WAIT).path("conversationId").asLong()).isEqualTo(direct);
        }
    }

    @Test
    void aNonMembersTypingFrameIsAnsweredNotFoundAndReachesNobody() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        TestUser outsider = api.newUser("outsider");
        long direct = api.direct(alice, bob);
        try (StreamClient o = StreamClient.connect(server.baseUrl(), outsider.token());
             StreamClient b = StreamClient.connect(server.baseUrl(), bob.token())) {
            for (long conversation : new long[] {direct, direct, 999_999_999L}) {
                o.send(typing(conversation));
                JsonNode error = o.nextOfType("error", WAIT);
                assertThat(error.path("error").path("code").asText()).isEqualTo("not_found");
                assertThat(error.path("clientMsgId").isNull()).isTrue();
            }
            assertThat(b.typesUntilPong(WAIT)).doesNotContain("typing");
        }
    }

    @Test
    void aTypingFrameWithoutAConversationIsAValidationError() {
        TestUser alice = api.newUser("alice");
        try (StreamClient a = StreamClient.connect(server.baseUrl(), alice.token())) {
            a.send(Map.of("type", "typing"));
            JsonNode error = a.nextOfType("error", WAIT);
            assertThat(error.path("error").path("code").asText()).isEqualTo("validation_failed");
            assertThat(error.path("error").path("field").asText()).isEqualTo("conversationId");
            a.send(Map.of("type", "typing", "conversationId", "seven"));
            assertThat(a.nextOfType("error", WAIT).path("error").path("code").asText()).isEqualTo("malformed_json");
        }
    }

    static Map<String, Object> typing(long conversation) {
        return Map.of("type", "typing", "conversationId", conversation);
    }

    private static List<JsonNode> typingFrames(List<JsonNode> frames) {
        return new java.util.ArrayList<>(frames.stream().filter(f -> f.path("type").asText().equals("typing")).toList());
    }
}
