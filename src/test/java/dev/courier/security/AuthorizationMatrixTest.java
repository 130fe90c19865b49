package dev.courier.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every authenticated HTTP endpoint, called by each kind of caller, against a fresh group conversation: the
 * status must be the one in the matrix, every error must be in the contract's shape, and where the answer is an
 * error nothing observable through the API may have changed.
 */
@ExtendWith(TestServerExtension.class)
class AuthorizationMatrixTest {

    /** Who calls. The expired and revoked tokens belong to the conversation's owner, so only the token is at fault. */
    enum Caller { NO_TOKEN, EXPIRED_TOKEN, REVOKED_TOKEN, NON_MEMBER, MEMBER, OWNER }

    /** One endpoint: how to call it for a fixture, and the expected status for non-member, member and owner. */
    record Endpoint(String name, Function<Fixture, Request> request, int nonMember, int member, int owner) {

        int expected(Caller caller) {
            return switch (caller) {
                case NO_TOKEN, EXPIRED_TOKEN, REVOKED_TOKEN -> 401;
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

    record Request(String method, String path, Object body) {
    }

    /**
     * A group of owner, member and bystander with two messages (seq 1 by the owner, seq 2 by the bystander), an
     * outsider, a user not yet in it, and a direct conversation of the bystander and that user with one message.
     */
    record Fixture(TestUser owner, TestUser member, TestUser bystander, TestUser outsider, TestUser newcomer,
                   String observerToken, String expiredToken, String revokedToken, long group, long direct) {
    }

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;
    private static List<TestUser> people;

    @BeforeAll
    static void createUsers() {
        people = List.of(api.newUser("owner"), api.newUser("member"), api.newUser("bystander"),
                api.newUser("outsider"), api.newUser("newcomer"));
    }

    static Stream<Endpoint> endpoints() {
        return Stream.of(
                new Endpoint("DELETE /v1/sessions/current", f -> new Request("DELETE", "/v1/sessions/current", null),
                        204, 204, 204),
                new Endpoint("GET /v1/me", f -> new Request("GET", "/v1/me", null), 200, 200, 200),
                new Endpoint("PATCH /v1/me", f -> new Request("PATCH", "/v1/me", Map.of("displayName", "Renamed")),
                        200, 200, 200),
                new Endpoint("PUT /v1/me/password (a wrong current password)", f -> new Request("PUT",
                        "/v1/me/password", Map.of("currentPassword", "not the password", "newPassword",
                        "another password")), 401, 401, 401),
                new Endpoint("GET /v1/me/sessions", f -> new Request("GET", "/v1/me/sessions", null), 200, 200, 200),
                new Endpoint("DELETE /v1/me/sessions/{id} (another user's)", f -> new Request("DELETE",
                        "/v1/me/sessions/" + server.queryLong("SELECT max(id) FROM sessions WHERE user_id = "
                                + f.bystander().id()), null), 404, 404, 404),
                new Endpoint("GET /v1/me/export", f -> new Request("GET", "/v1/me/export", null), 200, 200, 200),
                new Endpoint("DELETE /v1/me (a wrong password)", f -> new Request("DELETE", "/v1/me",
                        Map.of("password", "not the password")), 401, 401, 401),
                new Endpoint("GET /v1/users/{username}",
                        f -> new Request("GET", "/v1/users/" + f.owner().username(), null), 200, 200, 200),
                new Endpoint("POST /v1/conversations (group)", f -> new Request("POST", "/v1/conversations",
                        Map.of("type", "group", "title", "new", "members", List.of(f.bystander().id()))), 201, 201, 201),
                new Endpoint("GET /v1/conversations", f -> new Request("GET", "/v1/conversations", null), 200, 200, 200),
                new Endpoint("GET /v1/conversations/{id}",
                        f -> new Request("GET", "/v1/conversations/" + f.group(), null), 404, 200, 200),
                new Endpoint("GET /v1/conversations/{id} (direct of others)",
                        f -> new Request("GET", "/v1/conversations/" + f.direct(), null), 404, 404, 404),
                new Endpoint("POST /v1/conversations/{id}/members", f -> new Request("POST",
                        "/v1/conversations/" + f.group() + "/members", Map.of("userId", f.newcomer().id())), 404, 200, 200),
                new Endpoint("DELETE /v1/conversations/{id}/members/{other}", f -> new Request("DELETE",
                        "/v1/conversations/" + f.group() + "/members/" + f.bystander().id(), null), 404, 403, 204),
                new Endpoint("POST /v1/conversations/{id}/messages", f -> new Request("POST",
                        "/v1/conversations/" + f.group() + "/messages",
                        Map.of("clientMsgId", UUID.randomUUID().toString(), "body", "hi")), 404, 201, 201),
                new Endpoint("POST /v1/conversations/{id}/messages (direct of others)", f -> new Request("POST",
                        "/v1/conversations/" + f.direct() + "/messages",
                        Map.of("clientMsgId", UUID.randomUUID().toString(), "body", "hi")), 404, 404, 404),
                new Endpoint("POST /v1/conversations/{id}/messages (a reply)", f -> new Request("POST",
                        "/v1/conversations/" + f.group() + "/messages",
                        Map.of("clientMsgId", UUID.randomUUID().toString(), "body", "re", "replyTo", 2)), 404, 201, 201),
                new Endpoint("GET /v1/conversations/{id}/messages",
                        f -> new Request("GET", "/v1/conversations/" + f.group() + "/messages", null), 404, 200, 200),
                new Endpoint("GET /v1/conversations/{id}/messages?changedAfter", f -> new Request("GET",
                        "/v1/conversations/" + f.group() + "/messages?changedAfter=0", null), 404, 200, 200),
                new Endpoint("PATCH /v1/conversations/{id}/messages/{seq} (the owner's message)", f -> new Request(
                        "PATCH", ApiClient.messagePath(f.group(), 1), Map.of("body", "edited")), 404, 403, 200),
                new Endpoint("PATCH /v1/conversations/{id}/messages/{seq} (the bystander's message)", f -> new Request(
                        "PATCH", ApiClient.messagePath(f.group(), 2), Map.of("body", "edited")), 404, 403, 403),
                new Endpoint("PATCH /v1/conversations/{id}/messages/{seq} (direct of others)", f -> new Request(
                        "PATCH", ApiClient.messagePath(f.direct(), 1), Map.of("body", "edited")), 404, 404, 404),
                new Endpoint("DELETE /v1/conversations/{id}/messages/{seq} (the owner's message)", f -> new Request(
                        "DELETE", ApiClient.messagePath(f.group(), 1), null), 404, 403, 204),
                new Endpoint("DELETE /v1/conversations/{id}/messages/{seq} (the bystander's, by the group's owner)",
                        f -> new Request("DELETE", ApiClient.messagePath(f.group(), 2), null), 404, 403, 204),
                new Endpoint("DELETE /v1/conversations/{id}/messages/{seq} (direct of others)", f -> new Request(
                        "DELETE", ApiClient.messagePath(f.direct(), 1), null), 404, 404, 404),
                new Endpoint("PUT /v1/conversations/{id}/messages/{seq}/reactions/{emoji}", f -> new Request("PUT",
                        ApiClient.reactionPath(f.group(), 2, "\uD83D\uDC4D"), null), 404, 204, 204),
                new Endpoint("PUT /v1/conversations/{id}/messages/{seq}/reactions/{emoji} (direct of others)",
                        f -> new Request("PUT", ApiClient.reactionPath(f.direct(), 1, "\uD83D\uDC4D"), null),
                        404, 404, 404),
                new Endpoint("DELETE /v1/conversations/{id}/messages/{seq}/reactions/{emoji}", f -> new Request(
                        "DELETE", ApiClient.reactionPath(f.group(), 1, "\uD83C\uDF89"), null), 404, 204, 204),
                new Endpoint("DELETE /v1/conversations/{id}/messages/{seq}/reactions/{emoji} (direct of others)",
                        f -> new Request("DELETE", ApiClient.reactionPath(f.direct(), 1, "\uD83C\uDF89"), null),
                        404, 404, 404),
                new Endpoint("POST /v1/conversations/{id}/read", f -> new Request("POST",
                        "/v1/conversations/" + f.group() + "/read", Map.of("seq", 1)), 404, 204, 204),
                new Endpoint("GET /v1/search", f -> new Request("GET", "/v1/search?q=hello", null), 200, 200, 200),
                new Endpoint("GET /v1/search?conversationId", f -> new Request("GET",
                        "/v1/search?q=hello&conversationId=" + f.group(), null), 404, 200, 200),
                new Endpoint("GET /v1/search?conversationId (direct of others)", f -> new Request("GET",
                        "/v1/search?q=hello&conversationId=" + f.direct(), null), 404, 404, 404));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void eachCallerGetsTheExpectedStatusAndErrorsChangeNothing(Endpoint endpoint) {
        List<String> mismatches = new ArrayList<>();
        // one fixture per endpoint: the callers that must fail go first, and the member's success (e.g. adding
        // the newcomer) leaves the owner's expected answer the same
        Fixture f = fixture();
        for (Caller caller : Caller.values()) {
            Request request = endpoint.request().apply(f);
            String before = observableState(f);
            Response answer = call(request, token(f, caller));
            int expected = endpoint.expected(caller);
            if (answer.status() != expected) {
                mismatches.add(caller + ": expected " + expected + " but got " + answer);
            }
            if (answer.status() >= 400) {
                JsonNode error = answer.json().path("error");
                assertThat(error.path("code").asText()).as(caller + " " + answer).isNotBlank();
                assertThat(error.path("message").asText()).as(caller + " " + answer).isNotBlank();
                assertThat(observableState(f)).as(caller + " changed state with an error answer " + answer)
                        .isEqualTo(before);
            }
        }
        assertThat(mismatches).as(endpoint.name()).isEmpty();
    }

    /**
     * The owner's presence ({@code online}, {@code lastSeenAt}) in the user object is shown to whoever shares a
     * conversation with the owner, and null for everyone else; the fields are there for all.
     */
    @Test
    void aUsersPresenceIsShownOnlyToCallersWhoShareAConversationWithThem() {
        Fixture f = fixture();
        Map<Caller, String> expected = Map.of(Caller.NON_MEMBER, "null", Caller.MEMBER, "false", Caller.OWNER, "false");
        Map<Caller, String> seen = new LinkedHashMap<>();
        for (Caller caller : expected.keySet()) {
            JsonNode owner = api.get("/v1/users/" + f.owner().username(), token(f, caller)).json();
            assertThat(owner.has("online") && owner.has("lastSeenAt")).as(caller.toString()).isTrue();
            seen.put(caller, owner.path("online").toString());
            if (caller == Caller.NON_MEMBER) {
                assertThat(owner.path("lastSeenAt").isNull()).isTrue();
            }
        }
        assertThat(seen).isEqualTo(expected);
        // a direct conversation is shared too: the newcomer's with the bystander
        JsonNode bystander = api.get("/v1/users/" + f.bystander().username(), f.newcomer().token()).json();
        assertThat(bystander.path("online").isBoolean()).isTrue();
    }

    private static Fixture fixture() {
        // fresh sessions every time: an endpoint before may have logged one of them out
        TestUser owner = api.login(people.get(0).username());
        TestUser member = api.login(people.get(1).username());
        TestUser bystander = api.login(people.get(2).username());
        TestUser outsider = api.login(people.get(3).username());
        TestUser newcomer = api.login(people.get(4).username());
        String observer = api.login(owner.username()).token();
        String expired = api.login(owner.username()).token();
        String revoked = api.login(owner.username()).token();
        assertThat(api.delete("/v1/sessions/current", revoked).status()).isEqualTo(204);
        // the newest session left of the owner is the one meant to be expired
        server.execute("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = "
                + "(SELECT token_hash FROM sessions s WHERE s.user_id = " + owner.id()
                + " ORDER BY s.created_at DESC, s.expires_at DESC LIMIT 1)");
        assertThat(api.get("/v1/me", expired).status()).isEqualTo(401);
        assertThat(api.get("/v1/me", observer).status()).isEqualTo(200);
        assertThat(api.get("/v1/me", owner.token()).status()).isEqualTo(200);
        long group = api.group(owner, "matrix", member, bystander);
        assertThat(api.sendMessage(owner, group, "first").status()).isEqualTo(201);
        assertThat(api.sendMessage(bystander, group, "second").status()).isEqualTo(201);
        // every caller may take back a reaction that is there: none of the errors above may be for want of one
        assertThat(api.react(member, group, 1, "\uD83C\uDF89").status()).isEqualTo(204);
        assertThat(api.react(owner, group, 1, "\uD83C\uDF89").status()).isEqualTo(204);
        long direct = api.direct(bystander, newcomer);
        assertThat(api.sendMessage(bystander, direct, "private").status()).isEqualTo(201);
        assertThat(api.react(newcomer, direct, 1, "\uD83C\uDF89").status()).isEqualTo(204);
        return new Fixture(owner, member, bystander, outsider, newcomer, observer, expired, revoked, group, direct);
    }

    private static String token(Fixture f, Caller caller) {
        return switch (caller) {
            case NO_TOKEN -> null;
            case EXPIRED_TOKEN -> f.expiredToken();
            case REVOKED_TOKEN -> f.revokedToken();
            case NON_MEMBER -> f.outsider().token();
            case MEMBER -> f.member().token();
            case OWNER -> f.owner().token();
        };
    }

    private static Response call(Request request, String token) {
        return request.body() == null ? api.send(request.method(), request.path(), token, null, null)
                : api.send(request.method(), request.path(), token, "application/json",
                dev.courier.web.Json.write(request.body()));
    }

    /**
     * Everything the API shows about the fixture: the group as each member sees it, its messages (with their edits,
     * deletes and reactions), the direct conversation's, every list.
     */
    private static String observableState(Fixture f) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("group", api.get("/v1/conversations/" + f.group(), f.observerToken()).body());
        state.put("messages", api.get("/v1/conversations/" + f.group() + "/messages?limit=500", f.observerToken()).body());
        state.put("direct", api.get("/v1/conversations/" + f.direct() + "/messages?limit=500",
                f.bystander().token()).body());
        for (TestUser user : List.of(f.member(), f.bystander(), f.outsider(), f.newcomer())) {
            state.put(user.username() + ".me", api.get("/v1/me", user.token()).status());
            state.put(user.username() + ".list", api.get("/v1/conversations?limit=200", user.token()).body());
        }
        state.put("owner.list", api.get("/v1/conversations?limit=200", f.observerToken()).body());
        state.put("owner.session", api.get("/v1/me", f.owner().token()).status());
        return state.toString();
    }
}
