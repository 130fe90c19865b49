package dev.courier.accounts;

import static dev.courier.testing.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code /v1/me} and what hangs under it, and {@code /v1/admin/users}, against the contract (v1.1). */
@ExtendWith(TestServerExtension.class)
class AccountManagementApiTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    private static Response admin(String method, String path) {
        return api.send(method, path, TestServer.ADMIN_TOKEN, null, null);
    }

    private static Response changePassword(TestUser user, String current, String next) {
        return api.put("/v1/me/password", user.token(), Map.of("currentPassword", current, "newPassword", next));
    }

    @Test
    void aNewDisplayNameIsShownAtOnceAndBrokenOnesAreRefused() {
        TestUser user = api.newUser("rename");
        Response renamed = api.patch("/v1/me", user.token(), Map.of("displayName", "Ada L."));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().path("displayName").asText()).isEqualTo("Ada L.");
        assertThat(renamed.json().path("username").asText()).isEqualTo(user.username());
        assertThat(api.get("/v1/me", user.token()).json().path("displayName").asText()).isEqualTo("Ada L.");
        assertThat(api.get("/v1/me", user.token()).json().has("deleted")).as("absent while not deleted").isFalse();

        assertError(api.patch("/v1/me", user.token(), Map.of("displayName", "")), 400, "validation_failed",
                "displayName");
        assertError(api.patch("/v1/me", user.token(), Map.of("displayName", "x".repeat(65))), 400,
                "validation_failed", "displayName");
        assertError(api.patch("/v1/me", user.token(), Map.of()), 400, "validation_failed", "displayName");
        assertThat(api.get("/v1/me", user.token()).json().path("displayName").asText()).isEqualTo("Ada L.");
    }

    @Test
    void aPasswordChangeRevokesEveryOtherSessionAndClosesItsStreamsButKeepsTheCurrentOne() {
        TestUser laptop = api.newUser("pw");
        TestUser phone = api.login(laptop.username());
        try (StreamClient phoneStream = StreamClient.connect(server.baseUrl(), phone.token());
             StreamClient laptopStream = StreamClient.connect(server.baseUrl(), laptop.token())) {

            assertError(changePassword(laptop, "not the password", "brand new password"), 401,
                    "invalid_credentials", null);
            assertThat(api.get("/v1/me", phone.token()).status()).as("a wrong password revokes nothing").isEqualTo(200);
            assertError(changePassword(laptop, ApiClient.PASSWORD, "short"), 400, "validation_failed", "newPassword");

            assertThat(changePassword(laptop, ApiClient.PASSWORD, "brand new password").status()).isEqualTo(204);

            assertThat(phoneStream.awaitClose(WAIT)).isEqualTo(4001);
            assertError(api.get("/v1/me", phone.token()), 401, "unauthorized", null);
            assertThat(api.get("/v1/me", laptop.token()).status()).isEqualTo(200);
            assertThat(laptopStream.isClosed()).as("the current session's stream stays open").isFalse();
        }
        assertError(api.post("/v1/sessions", null, Map.of("username", laptop.username(), "password",
                ApiClient.PASSWORD)), 401, "invalid_credentials", null);
        assertThat(api.post("/v1/sessions", null, Map.of("username", laptop.username(), "password",
                "brand new password")).status()).isEqualTo(201);
    }

    @Test
    void theSessionListShowsEachSessionWithTheCurrentOneMarkedAndRevokingOneClosesItsStream() {
        TestUser first = api.newUser("sessions");
        TestUser second = api.login(first.username());
        TestUser stranger = api.newUser("stranger");

        JsonNode sessions = api.get("/v1/me/sessions", first.token()).json().path("sessions");
        assertThat(sessions).hasSize(2);
        List<Long> currents = new ArrayList<>();
        for (JsonNode session : sessions) {
            assertThat(session.path("id").isIntegralNumber()).isTrue();
            assertThat(Instant.parse(session.path("createdAt").asText())).isBefore(Instant.now().plusSeconds(5));
            assertThat(Instant.parse(session.path("lastUsedAt").asText()))
                    .isAfterOrEqualTo(Instant.parse(session.path("createdAt").asText()).minusSeconds(1));
            assertThat(session.path("userAgent").asText()).contains("Java-http-client");
            assertThat(session.path("address").asText()).isNotBlank();
            assertThat(session.has("token") || session.has("tokenHash")).isFalse();
            if (session.path("current").asBoolean()) {
                currents.add(session.path("id").asLong());
            }
        }
        assertThat(currents).hasSize(1);
        long firstId = currents.getFirst();
        long secondId = StreamSupport.stream(sessions.spliterator(), false).mapToLong(s -> s.path("id").asLong())
                .filter(id -> id != firstId).findFirst().orElseThrow();

        assertError(api.delete("/v1/me/sessions/" + secondId, stranger.token()), 404, "not_found", null);
        assertError(api.delete("/v1/me/sessions/999999999", first.token()), 404, "not_found", null);
        assertThat(api.get("/v1/me", second.token()).status()).isEqualTo(200);

        try (StreamClient secondStream = StreamClient.connect(server.baseUrl(), second.token())) {
            assertThat(api.delete("/v1/me/sessions/" + secondId, first.token()).status()).isEqualTo(204);
            assertThat(secondStream.awaitClose(WAIT)).isEqualTo(4001);
        }
        assertError(api.get("/v1/me", second.token()), 401, "unauthorized", null);
        assertThat(api.get("/v1/me/sessions", first.token()).json().path("sessions")).hasSize(1);
        assertThat(api.get("/v1/me", first.token()).status()).isEqualTo(200);
    }

    @Test
    void deletingTheAccountRevokesItFreesTheUsernameAndLeavesADeletedUserWithTombstones() {
        TestUser leaving = api.newUser("leaving");
        TestUser staying = api.newUser("staying");
        long group = api.group(staying, "farewell", leaving);
        for (int i = 0; i < 3; i++) {
            assertThat(api.sendMessage(leaving, group, "from the leaver " + i).status()).isEqualTo(201);
        }
        assertThat(api.sendMessage(staying, group, "from the one who stays").status()).isEqualTo(201);
        TestUser otherDevice = api.login(leaving.username());

        try (StreamClient stream = StreamClient.connect(server.baseUrl(), otherDevice.token());
             StreamClient watcher = StreamClient.connect(server.baseUrl(), staying.token())) {
            assertError(api.send("DELETE", "/v1/me", leaving.token(), "application/json",
                    "{\"password\":\"wrong password\"}"), 401, "invalid_credentials", null);
            assertThat(api.get("/v1/me", leaving.token()).status()).isEqualTo(200);

            assertThat(api.send("DELETE", "/v1/me", leaving.token(), "application/json",
                    "{\"password\":\"" + ApiClient.PASSWORD + "\"}").status()).isEqualTo(204);
            assertThat(stream.awaitClose(WAIT)).isEqualTo(4001);
            // the members see the leaver's messages become tombstones, as for any delete
            List<JsonNode> changes = watcher.changesUntil(list -> list.size() >= 3, WAIT);
            assertThat(changes).extracting(m -> m.path("seq").asLong()).containsExactlyInAnyOrder(1L, 2L, 3L);
            assertThat(changes).allSatisfy(m -> assertThat(m.path("deletedAt").isNull()).isFalse());
        }
        assertError(api.get("/v1/me", leaving.token()), 401, "unauthorized", null);
        assertError(api.get("/v1/me", otherDevice.token()), 401, "unauthorized", null);
        assertError(api.post("/v1/sessions", null, Map.of("username", leaving.username(), "password",
                ApiClient.PASSWORD)), 401, "invalid_credentials", null);
        assertThat(api.get("/v1/users/" + leaving.username(), staying.token()).status()).isEqualTo(404);

        JsonNode members = api.get("/v1/conversations/" + group, staying.token()).json().path("members");
        JsonNode deleted = StreamSupport.stream(members.spliterator(), false)
                .filter(m -> m.path("id").asLong() == leaving.id()).findFirst().orElseThrow();
        assertThat(deleted.path("deleted").asBoolean()).isTrue();
        assertThat(deleted.path("displayName").asText()).isEqualTo("Deleted user");
        assertThat(deleted.path("username").asText()).isNotEqualTo(leaving.username());

        JsonNode history = api.get("/v1/conversations/" + group + "/messages", staying.token()).json().path("messages");
        assertThat(history).extracting(m -> m.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(history).extracting(m -> m.path("body").asText())
                .containsExactly("", "", "", "from the one who stays");

        // the username is free again
        assertThat(api.post("/v1/accounts", null, Map.of("username", leaving.username(), "password",
                ApiClient.PASSWORD)).status()).isEqualTo(201);
        assertThat(server.queryLong("SELECT count(*) FROM account_deletions WHERE user_id = " + leaving.id()
                + " AND finished_at IS NOT NULL")).isEqualTo(1);
    }

    @Test
    void aDeactivatedUserIsRefusedEverywhereUntilReactivatedAndMustThenLogInAgain() {
        TestUser suspect = api.newUser("suspect");
        TestUser elsewhere = api.login(suspect.username());
        try (StreamClient stream = StreamClient.connect(server.baseUrl(), elsewhere.token())) {
            assertThat(admin("POST", "/v1/admin/users/" + suspect.id() + "/deactivate").status()).isEqualTo(204);
            assertThat(stream.awaitClose(WAIT)).isEqualTo(4001);
        }
        assertError(api.get("/v1/me", suspect.token()), 403, "account_deactivated", null);
        assertError(api.get("/v1/conversations", elsewhere.token()), 403, "account_deactivated", null);
        assertError(api.post("/v1/sessions", null, Map.of("username", suspect.username(), "password",
                ApiClient.PASSWORD)), 403, "account_deactivated", null);
        // a wrong password tells nothing about the deactivation
        assertError(api.post("/v1/sessions", null, Map.of("username", suspect.username(), "password",
                "wrong password")), 401, "invalid_credentials", null);
        // again: idempotent
        assertThat(admin("POST", "/v1/admin/users/" + suspect.id() + "/deactivate").status()).isEqualTo(204);

        JsonNode listed = api.get("/v1/admin/users?query=" + suspect.username(), TestServer.ADMIN_TOKEN).json()
                .path("users");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("deactivatedAt").isNull()).isFalse();

        assertThat(admin("POST", "/v1/admin/users/" + suspect.id() + "/reactivate").status()).isEqualTo(204);
        assertThat(admin("POST", "/v1/admin/users/" + suspect.id() + "/reactivate").status()).isEqualTo(204);
        assertError(api.get("/v1/me", suspect.token()), 401, "unauthorized", null);
        TestUser back = api.login(suspect.username());
        assertThat(api.get("/v1/me", back.token()).status()).isEqualTo(200);

        assertError(admin("POST", "/v1/admin/users/999999999/deactivate"), 404, "not_found", null);
        assertError(admin("POST", "/v1/admin/users/999999999/reactivate"), 404, "not_found", null);
    }

    @Test
    void operatorsFindUsersByPartOfTheirNameInPagesWithLastSeen() {
        String tag = "findme" + System.nanoTime() % 100_000;
        List<TestUser> found = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            found.add(api.newUser(tag));
        }
        api.newUser("other");
        List<Long> ids = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = api.get("/v1/admin/users?query=" + tag.toUpperCase() + "&limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor), TestServer.ADMIN_TOKEN);
            assertThat(page.status()).isEqualTo(200);
            for (JsonNode user : page.json().path("users")) {
                ids.add(user.path("id").asLong());
                assertThat(user.path("username").asText()).startsWith(tag);
                assertThat(user.has("deactivatedAt")).isTrue();
                assertThat(user.path("lastSeenAt").isNull()).as("each has a session").isFalse();
            }
            assertThat(page.json().has("next")).isTrue();
            cursor = page.json().path("next").isNull() ? null : page.json().path("next").asText();
            pages++;
        } while (cursor != null);
        assertThat(ids).containsExactlyElementsOf(found.stream().map(TestUser::id).toList());
        assertThat(pages).isEqualTo(3);
        assertError(api.get("/v1/admin/users?limit=0", TestServer.ADMIN_TOKEN), 400, "validation_failed", "limit");
        assertError(api.get("/v1/admin/users?cursor=nonsense", TestServer.ADMIN_TOKEN), 400, "validation_failed",
                "cursor");
        assertError(api.get("/v1/admin/users", found.getFirst().token()), 401, "unauthorized", null);
    }

    @Test
    void everyAdminActionIsInTheAuditLogWithItsTokenIdTargetAndStatusButReadsAreNot() {
        TestUser target = api.newUser("audited");
        long newestBefore = server.queryLong("SELECT coalesce(max(id), 0) FROM admin_audit_log");
        assertThat(admin("POST", "/v1/admin/users/" + target.id() + "/deactivate").status()).isEqualTo(204);
        assertThat(admin("POST", "/v1/admin/users/" + target.id() + "/reactivate").status()).isEqualTo(204);
        assertThat(admin("POST", "/v1/admin/users/999999999/deactivate").status()).isEqualTo(404);
        assertThat(admin("GET", "/v1/admin/users?query=" + target.username()).status()).isEqualTo(200);
        // refused before it reaches a route: no action by any token
        assertThat(api.post("/v1/admin/users/" + target.id() + "/deactivate", target.token(), Map.of()).status())
                .isEqualTo(401);

        JsonNode entries = api.get("/v1/admin/audit-log?limit=3", TestServer.ADMIN_TOKEN).json().path("entries");
        assertThat(entries).hasSize(3);
        assertThat(entries).extracting(e -> e.path("id").asLong()).allSatisfy(id -> assertThat(id).isGreaterThan(
                newestBefore));
        assertThat(entries).extracting(e -> e.path("action").asText() + " " + e.path("target").path("id").asText()
                        + " " + e.path("status").asInt())
                .containsExactly("POST /v1/admin/users/{id}/deactivate 999999999 404",
                        "POST /v1/admin/users/{id}/reactivate " + target.id() + " 204",
                        "POST /v1/admin/users/{id}/deactivate " + target.id() + " 204");
        String actor = entries.get(0).path("actor").asText();
        assertThat(actor).matches("[0-9a-f]{12}").isNotEqualTo(TestServer.ADMIN_TOKEN);
        assertThat(Instant.parse(entries.get(0).path("at").asText())).isAfter(Instant.now().minusSeconds(60));

        String next = api.get("/v1/admin/audit-log?limit=2", TestServer.ADMIN_TOKEN).json().path("next").asText();
        JsonNode after = api.get("/v1/admin/audit-log?limit=1&cursor=" + next, TestServer.ADMIN_TOKEN).json();
        assertThat(after.path("entries").get(0).path("action").asText() + " " + after.path("entries").get(0)
                .path("target").path("id").asText()).isEqualTo("POST /v1/admin/users/{id}/deactivate " + target.id());
        assertThat(server.queryLong("SELECT count(*) FROM admin_audit_log WHERE id > " + newestBefore
                + " AND action LIKE 'GET %'")).isZero();
    }
}
