package dev.courier.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import dev.courier.web.Json;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stream's side of the authorization matrix: every frame a client sends ({@code send}, with a reply or not,
 * {@code read}, {@code typing}, {@code ping}), from a non-member, a member and the owner of a group, gets the answer
 * in the matrix; where the answer is an error frame the database shows nothing stored (no message row, no read marker
 * moved). The upgrade itself refuses a missing, expired or revoked token, in the header and in {@code access_token};
 * and a non-member's open stream carries nothing of the group: no message nor its changes, read marker, membership
 * change, typing, nor the presence of its members.
 */
@ExtendWith(TestServerExtension.class)
class StreamAuthorizationMatrixTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Frames the stream pushes to members, which answer nothing the caller sent. */
    private static final List<String> PUSHED =
            List.of("message", "message_changed", "read", "conversation", "typing", "presence");

    enum Caller { NON_MEMBER, MEMBER, OWNER }

    /**
     * One client frame and what each caller gets back on its own connection: {@code ack}, {@code pong},
     * {@code error <code>}, or {@code none} (a {@code read} is answered only on error). Frames the stream pushes to
     * every member ({@code message}, {@code read}, {@code conversation}) are not answers and are left out.
     */
    record Frame(String name, Function<Fixture, Map<String, Object>> frame, String nonMember, String member,
                 String owner) {

        String expected(Caller caller) {
            return switch (caller) {
                case NON_MEMBER -> nonMember;
                case MEMBER -> member;
                case OWNER -> owner;
            };
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A group of owner, member and bystander holding one message (seq 1, by the bystander), and a direct of others. */
    record Fixture(long group, long direct) {
    }

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;
    private static TestUser owner;
    private static TestUser member;
    private static TestUser bystander;
    private static TestUser outsider;
    private static TestUser newcomer;

    @BeforeAll
    static void createUsers() {
        owner = api.newUser("owner");
        member = api.newUser("member");
        bystander = api.newUser("bystander");
        outsider = api.newUser("outsider");
        newcomer = api.newUser("newcomer");
    }

    static Stream<Frame> frames() {
        return Stream.of(
                new Frame("send to the group", f -> send(f.group()), "error not_found", "ack", "ack"),
                new Frame("send a reply to the group", f -> reply(f.group(), 1), "error not_found", "ack", "ack"),
                new Frame("send a reply to no message of the group", f -> reply(f.group(), 2),
                        "error not_found", "error validation_failed", "error validation_failed"),
                new Frame("send a reply to a direct conversation of others", f -> reply(f.direct(), 1),
                        "error not_found", "error not_found", "error not_found"),
                new Frame("send to a direct conversation of others", f -> send(f.direct()),
                        "error not_found", "error not_found", "error not_found"),
                new Frame("read in the group", f -> Map.of("type", "read", "conversationId", f.group(), "seq", 1),
                        "error not_found", "none", "none"),
                new Frame("read in a direct conversation of others",
                        f -> Map.of("type", "read", "conversationId", f.direct(), "seq", 1),
                        "error not_found", "error not_found", "error not_found"),
                new Frame("typing in the group", f -> Map.of("type", "typing", "conversationId", f.group()),
                        "error not_found", "none", "none"),
                new Frame("typing in a direct conversation of others",
                        f -> Map.of("type", "typing", "conversationId", f.direct()),
                        "error not_found", "error not_found", "error not_found"),
                new Frame("ping", f -> Map.of("type", "ping"), "pong", "pong", "pong"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void eachCallerGetsTheExpectedAnswerAndErrorsStoreNothing(Frame frame) {
        Fixture f = fixture();
        List<String> mismatches = new ArrayList<>();
        for (Caller caller : Caller.values()) {
            TestUser user = user(caller);
            Map<String, Object> sent = frame.frame().apply(f);
            String before = storedState(f);
            String answer;
            try (StreamClient stream = StreamClient.connect(server.baseUrl(), user.token())) {
                answer = answerTo(stream, sent);
            }
            String expected = frame.expected(caller);
            if (!answer.equals(expected)) {
                mismatches.add(caller + ": expected " + expected + " but got " + answer);
            }
            if (expected.startsWith("error")) {
                assertThat(storedState(f)).as(caller + " stored something with an error answer").isEqualTo(before);
            }
            if (sent.get("type").equals("send")) {
                long rows = server.queryLong("SELECT count(*) FROM messages WHERE client_msg_id = '"
                        + sent.get("clientMsgId") + "' AND sender_id = " + user.id());
                assertThat(rows).as(caller + ": rows stored for the frame").isEqualTo(expected.equals("ack") ? 1 : 0);
            }
            if (sent.get("type").equals("read") && expected.equals("none")) {
                assertThat(readSeq(f.group(), user)).as(caller + ": read marker").isEqualTo(1);
            }
        }
        assertThat(mismatches).as(frame.name()).isEmpty();
    }

    @Test
    void anUpgradeWithAMissingExpiredOrRevokedTokenIsRefusedWith401() throws Exception {
        TestUser holder = api.newUser("holder");
        String expired = api.login(holder.username()).token();
        String revoked = api.login(holder.username()).token();
        assertThat(api.delete("/v1/sessions/current", revoked).status()).isEqualTo(204);
        // every session of this user but the first expires a second ago
        server.execute("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = " + holder.id()
                + " AND token_hash <> (SELECT token_hash FROM sessions WHERE user_id = " + holder.id()
                + " ORDER BY created_at LIMIT 1)");
        assertThat(api.get("/v1/me", expired).status()).isEqualTo(401);
        assertThat(api.get("/v1/me", holder.token()).status()).isEqualTo(200);

        for (String token : new String[] {null, expired, revoked}) {
            for (boolean inQuery : new boolean[] {false, true}) {
                String label = (token == null ? "no token" : token.equals(expired) ? "expired" : "revoked")
                        + (inQuery ? " in access_token" : " in the header");
                try {
                    StreamClient.open(server.baseUrl(), token, inQuery).close();
                    throw new AssertionError("upgrade accepted with " + label);
                } catch (CompletionException e) {
                    assertThat(e.getCause()).as(label).isInstanceOf(WebSocketHandshakeException.class);
                    var response = ((WebSocketHandshakeException) e.getCause()).getResponse();
                    assertThat(response.statusCode()).as(label).isEqualTo(401);
                    assertThat(response.headers().firstValue("X-Content-Type-Options")).as(label).contains("nosniff");
                    assertThat(response.headers().firstValue("Cache-Control")).as(label).contains("no-store");
                    // the JDK hands over the refused handshake's body as a String
                    assertThat(Json.mapper().readTree(String.valueOf(response.body())).path("error").path("code")
                            .asText()).as(label).isEqualTo("unauthorized");
                }
            }
        }
        // the valid session of the same user still opens a stream: only the token was at fault
        try (StreamClient valid = StreamClient.connect(server.baseUrl(), holder.token())) {
            assertThat(valid.isClosed()).isFalse();
        }
    }

    @Test
    void aNonMembersStreamCarriesNothingOfTheGroup() {
        Fixture f = fixture();
        try (StreamClient watcher = StreamClient.connect(server.baseUrl(), outsider.token());
             StreamClient memberStream = StreamClient.connect(server.baseUrl(), member.token())) {
            assertThat(api.sendMessage(owner, f.group(), "over REST").status()).isEqualTo(201);
            memberStream.send(send(f.group()));
            memberStream.nextOfType("ack", WAIT);
            memberStream.send(Map.of("type", "typing", "conversationId", f.group()));
            try (StreamClient ownerStream = StreamClient.connect(server.baseUrl(), owner.token())) {
                // the member sees the owner come online (they share the group); the outsider must not
                assertThat(memberStream.nextOfType("presence", WAIT).path("userId").asLong()).isEqualTo(owner.id());
            }
            assertThat(api.post("/v1/conversations/" + f.group() + "/read", owner.token(), Map.of("seq", 2)).status())
                    .isEqualTo(204);
            assertThat(api.post("/v1/conversations/" + f.group() + "/members", owner.token(),
                    Map.of("userId", newcomer.id())).status()).isEqualTo(200);
            assertThat(api.delete("/v1/conversations/" + f.group() + "/members/" + newcomer.id(), owner.token())
                    .status()).isEqualTo(204);
            assertThat(api.editMessage(owner, f.group(), 2, "over REST, edited").status()).isEqualTo(200);
            assertThat(api.react(member, f.group(), 1, "\uD83D\uDC40").status()).isEqualTo(204);
            assertThat(api.deleteMessage(owner, f.group(), 1).status()).isEqualTo(204);
            assertThat(api.sendMessage(owner, f.group(), "last").status()).isEqualTo(201);
            // the member has seen the last event, so each earlier one has been handed to every stream it was for
            memberStream.messagesUntil(m -> m.stream().anyMatch(x -> x.path("body").asText().equals("last")), WAIT);
            List<JsonNode> seen = untilPong(watcher, 1);
            assertThat(seen).as("frames on a non-member's stream").noneMatch(frame -> mentions(frame, f.group()));
        }
    }

    private static Fixture fixture() {
        long group = api.group(owner, "matrix", member, bystander);
        assertThat(api.sendMessage(bystander, group, "first").status()).isEqualTo(201);
        long direct = api.direct(bystander, newcomer);
        return new Fixture(group, direct);
    }

    private static TestUser user(Caller caller) {
        return switch (caller) {
            case NON_MEMBER -> outsider;
            case MEMBER -> member;
            case OWNER -> owner;
        };
    }

    private static Map<String, Object> reply(long conversation, long replyTo) {
        return Map.of("type", "send", "conversationId", conversation, "clientMsgId", UUID.randomUUID().toString(),
                "body", "re", "replyTo", replyTo);
    }

    private static Map<String, Object> send(long conversation) {
        return Map.of("type", "send", "conversationId", conversation, "clientMsgId", UUID.randomUUID().toString(),
                "body", "hi");
    }

    /**
     * Sends {@code frame}, then a {@code ping}: a connection's frames are handled in order, so everything the frame
     * is answered with arrives before that ping's {@code pong}. Pushed frames are dropped; the rest are described.
     */
    private static String answerTo(StreamClient stream, Map<String, Object> frame) {
        stream.send(frame);
        // a ping is answered with a pong of its own: then the marker's pong is the second
        List<JsonNode> frames = untilPong(stream, frame.get("type").equals("ping") ? 2 : 1);
        frames.removeLast();
        List<String> answers = frames.stream()
                .filter(x -> !PUSHED.contains(x.path("type").asText()))
                .map(x -> {
                    String type = x.path("type").asText();
                    if (!type.equals("error")) {
                        return type;
                    }
                    assertThat(x.path("error").path("message").asText()).as("message of %s", x).isNotBlank();
                    if (frame.get("type").equals("send")) {
                        assertThat(x.path("clientMsgId").asText()).isEqualTo(frame.get("clientMsgId"));
                    }
                    return type + " " + x.path("error").path("code").asText();
                }).toList();
        return answers.isEmpty() ? "none" : answers.stream().collect(Collectors.joining(", "));
    }

    /** Sends a {@code ping}; every frame up to and including the {@code pongs}-th {@code pong} from now. */
    private static List<JsonNode> untilPong(StreamClient stream, int pongs) {
        stream.send(Map.of("type", "ping"));
        List<JsonNode> frames = new ArrayList<>();
        int seen = 0;
        while (seen < pongs) {
            JsonNode frame = stream.next(WAIT);
            frames.add(frame);
            if (frame.path("type").asText().equals("pong")) {
                seen++;
            }
        }
        return frames;
    }

    private static boolean mentions(JsonNode frame, long conversation) {
        return frame.path("type").asText().equals("presence")
                || frame.path("conversationId").asLong() == conversation
                || frame.path("message").path("conversationId").asLong() == conversation
                || frame.path("conversation").path("id").asLong() == conversation;
    }

    /** What the matrix's frames could change: messages and read markers of both conversations, memberships. */
    private static String storedState(Fixture f) {
        List<Long> values = new ArrayList<>();
        for (long conversation : new long[] {f.group(), f.direct()}) {
            values.add(server.queryLong("SELECT count(*) FROM messages WHERE conversation_id = " + conversation));
            values.add(server.queryLong("SELECT last_seq FROM conversations WHERE id = " + conversation));
            values.add(server.queryLong("SELECT count(*) FROM memberships WHERE conversation_id = " + conversation));
            values.add(server.queryLong("SELECT coalesce(sum(read_seq), 0) FROM memberships WHERE conversation_id = "
                    + conversation));
        }
        values.add(server.queryLong("SELECT count(*) FROM memberships WHERE user_id = " + outsider.id()));
        return values.toString();
    }

    private static long readSeq(long conversation, TestUser user) {
        return server.queryLong("SELECT read_seq FROM memberships WHERE conversation_id = " + conversation
                + " AND user_id = " + user.id());
    }
}
