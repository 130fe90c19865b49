package dev.courier.accounts;

import static dev.courier.testing.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /v1/accounts}, {@code /v1/sessions}, {@code /v1/me} and {@code /v1/users/{username}} against the contract. */
@ExtendWith(TestServerExtension.class)
class AccountsApiTest {

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    private static Response register(String username, String password, String displayName) {
        Map<String, Object> body = new HashMap<>();
        body.put("username", username);
        body.put("password", password);
        if (displayName != null) {
            body.put("displayName", displayName);
        }
        return api.post("/v1/accounts", null, body);
    }

    private static Response login(String username, String password) {
        return api.post("/v1/sessions", null, Map.of("username", username, "password", password));
    }

    @Test
    void registeringReturnsTheUserWithTheUsernameAsDefaultDisplayName() {
        String username = ApiClient.uniqueUsername("dora");
        Response r = register(username, "eight chr", null);

        assertThat(r.status()).isEqualTo(201);
        JsonNode user = r.json();
        assertThat(user.path("id").isIntegralNumber()).isTrue();
        assertThat(user.path("username").asText()).isEqualTo(username);
        assertThat(user.path("displayName").asText()).isEqualTo(username);
        Instant created = Instant.parse(user.path("createdAt").asText());
        assertThat(created).isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(5, ChronoUnit.MINUTES));
        assertThat(user.has("password")).isFalse();
        assertThat(user.has("passwordHash")).isFalse();
    }

    @Test
    void registeringKeepsAGivenDisplayNameOfOneTo64CodePoints() {
        String sixtyFourEmoji = "\uD83D\uDE00".repeat(64);
        Response r = register(ApiClient.uniqueUsername("emo"), "password1", sixtyFourEmoji);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("displayName").asText()).isEqualTo(sixtyFourEmoji);
        assertThat(register(ApiClient.uniqueUsername("one"), "password1", "X").json().path("displayName").asText())
                .isEqualTo("X");
    }

    static java.util.stream.Stream<String> badDisplayNames() {
        return java.util.stream.Stream.of("", "\uD83D\uDE00".repeat(65), "x".repeat(65), "nul\u0000inside");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("badDisplayNames")
    void displayNameOutsideItsRulesIsRejectedAndNothingIsStored(String displayName) {
        String username = ApiClient.uniqueUsername("dn");
        assertError(register(username, "password1", displayName), 400, "validation_failed", "displayName");
        assertThat(login(username, "password1").status()).isEqualTo(401);
    }

    @Test
    void displayNameWithAnEscapedLoneSurrogateIsRejected() {
        String username = ApiClient.uniqueUsername("sur");
        // Only a JSON escape can carry a lone surrogate: UTF-8 bytes cannot encode one.
        Response r = api.post("/v1/accounts", null, "{\"username\": \"" + username
                + "\", \"password\": \"password1\", \"displayName\": \"lone \\ud83d surrogate\"}");
        assertError(r, 400, "validation_failed", "displayName");
        assertThat(login(username, "password1").status()).isEqualTo(401);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "a.b", "x_y-z.0", "abcdefghijklmnopqrstuvwxyz012345"})
    void usernamesOfThreeTo32AllowedCharactersAreAccepted(String username) {
        // Each test class has a fresh database, so these fixed names are free.
        Response r = register(username, "password1", null);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(r.json().path("username").asText()).isEqualTo(username);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "abcdefghijklmnopqrstuvwxyz0123456", "has space", "semi;colon", "at@sign",
            "ümlaut", "caf\u00e9", "\u212Aelvin", "nul\u0000name", "slash/name", "plus+name", ""})
    void usernameBreakingTheRulesIsRejectedWithFieldUsername(String username) {
        assertError(register(username, "password1", null), 400, "validation_failed", "username");
    }

    @Test
    void usernameIsFoldedToLowerCaseAndUniqueIgnoringCase() {
        String lower = ApiClient.uniqueUsername("mixed");
        String upper = lower.toUpperCase(java.util.Locale.ROOT);

        Response first = register(upper, "password1", null);
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json().path("username").asText()).isEqualTo(lower);

        assertError(register(lower, "password2", null), 409, "username_taken", "username");
        assertError(register("M" + lower.substring(1), "password2", null), 409, "username_taken", "username");
        // The first password still logs in, under either spelling: the second registration stored nothing.
        assertThat(login(lower, "password1").status()).isEqualTo(201);
        assertThat(login(upper, "password1").status()).isEqualTo(201);
        assertThat(login(lower, "password2").status()).isEqualTo(401);
    }

    @Test
    void passwordOfEightTo128CharactersIsAcceptedAndOthersRejected() {
        assertThat(register(ApiClient.uniqueUsername("pw"), "12345678", null).status()).isEqualTo(201);
        assertThat(register(ApiClient.uniqueUsername("pw"), "p".repeat(128), null).status()).isEqualTo(201);
        String shortOne = ApiClient.uniqueUsername("pw");
        assertError(register(shortOne, "1234567", null), 400, "validation_failed", "password");
        assertError(register(ApiClient.uniqueUsername("pw"), "p".repeat(129), null), 400, "validation_failed",
                "password");
        assertError(register(ApiClient.uniqueUsername("pw"), "with\u0000nul", null), 400, "validation_failed",
                "password");
        assertThat(login(shortOne, "1234567").status()).isEqualTo(401);
    }

    @Test
    void missingRequiredFieldsAreValidationFailuresNamingTheField() {
        assertError(api.post("/v1/accounts", null, Map.of("password", "password1")), 400, "validation_failed",
                "username");
        assertError(api.post("/v1/accounts", null, Map.of("username", ApiClient.uniqueUsername("np"))), 400,
                "validation_failed", "password");
        assertError(api.post("/v1/sessions", null, Map.of("username", "someone")), 400, "validation_failed",
                "password");
    }

    @Test
    void fieldsOfTheWrongJsonTypeAreMalformedJson() {
        assertError(api.post("/v1/accounts", null, Map.of("username", 12345, "password", "password1")), 400,
                "malformed_json", "username");
        assertError(api.post("/v1/accounts", null, Map.of("username", "valid_name", "password", true)), 400,
                "malformed_json", "password");
    }

    @Test
    void loginAnswersTokenExpiryAndUser() {
        TestUser erin = api.newUser("erin");
        Response r = login(erin.username(), ApiClient.PASSWORD);

        assertThat(r.status()).isEqualTo(201);
        String token = r.json().path("token").asText();
        assertThat(token).hasSizeGreaterThanOrEqualTo(22); // at least 128 bits in base64
        assertThat(Instant.parse(r.json().path("expiresAt").asText())).isAfter(Instant.now().plusSeconds(1800));
        assertThat(r.json().path("user").path("id").asLong()).isEqualTo(erin.id());
        assertThat(api.get("/v1/me", token).json().path("username").asText()).isEqualTo(erin.username());
    }

    @Test
    void loginIsCaseInsensitiveOnTheUsername() {
        TestUser fay = api.newUser("fay");
        assertThat(login(fay.username().toUpperCase(java.util.Locale.ROOT), ApiClient.PASSWORD).status())
                .isEqualTo(201);
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSameInvalidCredentialsAnswer() {
        TestUser gus = api.newUser("gus");
        Response wrongPassword = login(gus.username(), "not the password");
        Response unknownUser = login(ApiClient.uniqueUsername("nobody"), "not the password");
        Response invalidName = login("no such name!", "not the password");

        for (Response r : java.util.List.of(wrongPassword, unknownUser, invalidName)) {
            assertError(r, 401, "invalid_credentials", null);
        }
        // the same answer but for the ids of the request and its trace, which every answer has its own of
        assertThat(withoutIds(unknownUser)).isEqualTo(withoutIds(wrongPassword));
        assertThat(withoutIds(invalidName)).isEqualTo(withoutIds(wrongPassword));
        assertThat(unknownUser.headers().map().keySet()).isEqualTo(wrongPassword.headers().map().keySet());
    }

    private static com.fasterxml.jackson.databind.JsonNode withoutIds(Response r) {
        com.fasterxml.jackson.databind.node.ObjectNode body = (com.fasterxml.jackson.databind.node.ObjectNode) r.json();
        ((com.fasterxml.jackson.databind.node.ObjectNode) body.path("error")).remove(java.util.List.of("requestId", "traceId"));
        return body;
    }

    @Test
    void logoutRevokesTheTokenAtOnceWhileOtherSessionsKeepWorking() {
        TestUser hal = api.newUser("hal");
        TestUser halOnPhone = api.login(hal.username());

        Response logout = api.delete("/v1/sessions/current", hal.token());
        assertThat(logout.status()).isEqualTo(204);
        assertThat(logout.body()).isEmpty();

        assertError(api.get("/v1/me", hal.token()), 401, "unauthorized", null);
        assertError(api.delete("/v1/sessions/current", hal.token()), 401, "unauthorized", null);
        assertThat(api.get("/v1/me", halOnPhone.token()).status()).isEqualTo(200);
    }

    @Test
    void anExpiredTokenIsUnauthorized() {
        TestUser ida = api.newUser("ida");
        TestUser idaElsewhere = api.login(ida.username());

        // Age only this user's sessions, before their tokens are first used (and cached: see below); log in once more
        // after.
        server.sql("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = " + ida.id());

        assertError(api.get("/v1/me", ida.token()), 401, "unauthorized", null);
        assertError(api.get("/v1/me", idaElsewhere.token()), 401, "unauthorized", null);
        assertThat(api.get("/v1/me", api.login(ida.username()).token()).status()).isEqualTo(200);
    }

    @Test
    void aTokenUsedAMomentAgoIsAcceptedWithoutAskingTheDatabase() {
        TestUser jon = api.newUser("jon");
        assertThat(api.get("/v1/me", jon.token()).status()).isEqualTo(200);
        double lookups = api.metric("courier_db_connection_hold_seconds_count", "call_site=\"sessions.authenticate\"");
        double hits = api.metric("courier_session_cache_requests_total", "result=\"hit\"");

        for (int i = 0; i < 3; i++) {
            assertThat(api.get("/v1/me", jon.token()).json().path("id").asLong()).isEqualTo(jon.id());
        }

        assertThat(api.metric("courier_db_connection_hold_seconds_count", "call_site=\"sessions.authenticate\""))
                .isEqualTo(lookups);
        assertThat(api.metric("courier_session_cache_requests_total", "result=\"hit\"")).isEqualTo(hits + 3);
    }

    @Test
    void aCachedSessionIsRefusedOnceItExpires() throws InterruptedException {
        TestUser kim = api.newUser("kim");
        server.sql("UPDATE sessions SET expires_at = now() + interval '2 seconds' WHERE user_id = " + kim.id());
        long expires = System.nanoTime() + 2_000_000_000L;
        double hits = api.metric("courier_session_cache_requests_total", "result=\"hit\"");

        assertThat(api.get("/v1/me", kim.token()).status()).isEqualTo(200);
        assertThat(api.get("/v1/me", kim.token()).status()).isEqualTo(200);
        assertThat(api.metric("courier_session_cache_requests_total", "result=\"hit\"")).isEqualTo(hits + 1);

        // Past the session's end, yet well within the cache's maximum age of the entry.
        Thread.sleep(Math.max(0, (expires - System.nanoTime()) / 1_000_000) + 100);
        assertError(api.get("/v1/me", kim.token()), 401, "unauthorized", null);
    }

    @Test
    void missingMalformedOrUnknownTokensAreUnauthorized() {
        assertError(api.get("/v1/me", null), 401, "unauthorized", null);
        assertError(api.get("/v1/me", "not-a-token"), 401, "unauthorized", null);
        assertError(api.send("GET", "/v1/conversations", null, null, null), 401, "unauthorized", null);
        Response basic = api.sendBytes("GET", "/v1/me", null, null, null);
        assertError(basic, 401, "unauthorized", null);
    }

    @Test
    void meAndUserLookupAnswerTheUserObject() {
        TestUser jo = api.newUser("jo");
        TestUser kim = api.newUser("kim");

        JsonNode me = api.get("/v1/me", jo.token()).json();
        assertThat(me.path("id").asLong()).isEqualTo(jo.id());
        assertThat(me.path("username").asText()).isEqualTo(jo.username());
        assertThat(me.path("displayName").asText()).isEqualTo(jo.username());
        assertThat(me.path("createdAt").asText()).isNotEmpty();

        Response other = api.get("/v1/users/" + kim.username(), jo.token());
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.json().path("id").asLong()).isEqualTo(kim.id());
        assertThat(api.get("/v1/users/" + kim.username().toUpperCase(java.util.Locale.ROOT), jo.token())
                .json().path("id").asLong()).isEqualTo(kim.id());
    }

    @Test
    void unknownUsernameIsNotFound() {
        TestUser lee = api.newUser("lee");
        assertError(api.get("/v1/users/" + ApiClient.uniqueUsername("ghost"), lee.token()), 404, "not_found", null);
        assertError(api.get("/v1/users/bad%20name", lee.token()), 404, "not_found", null);
        assertError(api.get("/v1/users/someone", null), 401, "unauthorized", null);
    }
}
