package dev.courier.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.CourierConfig;
import dev.courier.db.FaultInjection;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import dev.courier.web.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route under {@code /v1/admin/}, called with no token, a user's session token, a wrong admin token and the
 * right one: only the right admin token gets in, every refusal is {@code 401} in the contract's shape, and a
 * refused call changes nothing (fault switches, incidents). Without a configured admin token the admin API does
 * not exist for anyone.
 */
class AdminAuthorizationMatrixTest {

    enum Caller { NO_TOKEN, USER_SESSION_TOKEN, WRONG_ADMIN_TOKEN, ADMIN_TOKEN }

    /** One admin route, how to call it given the fixture incident's id, and its status for the right token. */
    record Route(String name, LongFunction<Request> request, int admitted) {

        @Override
        public String toString() {
            return name;
        }
    }

    record Request(String method, String path, Object body) {
    }

    @RegisterExtension
    static final TestServerExtension sharedServer =
            TestServerExtension.configuredBy(cfg -> cfg.withFaultInjection(true));
    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;
    private static String userToken;
    private static long incident;
    /** The user the user routes act on; a separate one, so the operator's own session stays valid. */
    private static long subject;
    private static final List<FaultInjection.Change> faultChanges = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void createFixtures() {
        userToken = api.newUser("operator").token();
        subject = api.newUser("subject").id();
        // a resolved incident, so the routes that show one have something to show
        incident = server.queryLong("INSERT INTO incidents (title, opened_at, resolved_at) "
                + "VALUES ('matrix fixture', now() - interval '1 hour', now() - interval '50 minutes') RETURNING id");
        server.server().faults().orElseThrow().addListener(faultChanges::add);
    }

    static Stream<Route> routes() {
        return Stream.of(
                new Route("GET /v1/admin/pool", id -> new Request("GET", "/v1/admin/pool", null), 200),
                new Route("GET /v1/admin/alerts", id -> new Request("GET", "/v1/admin/alerts", null), 200),
                new Route("GET /v1/admin/incidents", id -> new Request("GET", "/v1/admin/incidents", null), 200),
                new Route("GET /v1/admin/incidents/{id}",
                        id -> new Request("GET", "/v1/admin/incidents/" + id, null), 200),
                new Route("GET /v1/admin/incidents/{id}/postmortem",
                        id -> new Request("GET", "/v1/admin/incidents/" + id + "/postmortem", null), 200),
                new Route("GET /v1/admin/incidents/{unknown id}",
                        id -> new Request("GET", "/v1/admin/incidents/" + (id + 1_000), null), 404),
                new Route("POST /v1/admin/incidents/{id}/acknowledge", id -> new Request("POST",
                        "/v1/admin/incidents/" + id + "/acknowledge", Map.of("by", "matrix")), 200),
                new Route("POST /v1/admin/incidents/{id}/notes", id -> new Request("POST",
                        "/v1/admin/incidents/" + id + "/notes", Map.of("by", "matrix", "kind", "note", "text", "n")),
                        201),
                new Route("PATCH /v1/admin/incidents/{id}", id -> new Request("PATCH", "/v1/admin/incidents/" + id,
                        Map.of("lessons", "matrix lessons")), 200),
                new Route("POST /v1/admin/incidents/{id}/resolve", id -> new Request("POST",
                        "/v1/admin/incidents/" + id + "/resolve", Map.of("by", "matrix", "summary", "s")), 200),
                new Route("GET /v1/admin/users", id -> new Request("GET", "/v1/admin/users?query=subject", null), 200),
                new Route("POST /v1/admin/users/{id}/deactivate", id -> new Request("POST",
                        "/v1/admin/users/" + subject + "/deactivate", null), 204),
                new Route("POST /v1/admin/users/{id}/reactivate", id -> new Request("POST",
                        "/v1/admin/users/" + subject + "/reactivate", null), 204),
                new Route("POST /v1/admin/users/{unknown id}/deactivate", id -> new Request("POST",
                        "/v1/admin/users/999999999/deactivate", null), 404),
                new Route("GET /v1/admin/audit-log", id -> new Request("GET", "/v1/admin/audit-log", null), 200),
                new Route("GET /v1/admin/faults", id -> new Request("GET", "/v1/admin/faults", null), 200),
                new Route("GET /v1/admin/nodes", id -> new Request("GET", "/v1/admin/nodes", null), 200),
                new Route("POST /v1/admin/nodes/probe", id -> new Request("POST", "/v1/admin/nodes/probe", null), 202),
                // a change the right token does make: proof that a refused caller's identical request would have
                new Route("PUT /v1/admin/faults", id -> new Request("PUT", "/v1/admin/faults",
                        Map.of("queryLatencyMs", 3)), 200),
                // the guard covers the whole prefix: an outsider cannot probe which admin routes exist
                new Route("GET /v1/admin/no-such-route", id -> new Request("GET", "/v1/admin/no-such-route", null),
                        404));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void onlyTheAdminTokenGetsInAndARefusalChangesNothing(Route route) {
        List<String> mismatches = new ArrayList<>();
        for (Caller caller : Caller.values()) {
            String before = adminState();
            int changesBefore = faultChanges.size();
            Response answer = call(route.request().apply(incident), token(caller));
            int expected = caller == Caller.ADMIN_TOKEN ? route.admitted() : 401;
            if (answer.status() != expected) {
                mismatches.add(caller + ": expected " + expected + " but got " + answer);
            }
            if (caller != Caller.ADMIN_TOKEN) {
                assertThat(answer.errorCode()).as(caller + " " + answer).isEqualTo("unauthorized");
                assertThat(answer.json().path("error").path("message").asText()).as(caller + " " + answer)
                        .isNotBlank();
                assertThat(answer.body()).as("the refusal echoes no token")
                        .doesNotContain(TestServer.ADMIN_TOKEN).doesNotContain(userToken);
                assertThat(adminState()).as(caller + " changed state with a refusal " + answer).isEqualTo(before);
                assertThat(faultChanges).hasSize(changesBefore);
            }
        }
        // undo the admitted PUT, so every route starts from the same switches
        assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("queryLatencyMs", 0)).status())
                .isEqualTo(200);
        assertThat(mismatches).as(route.name()).isEmpty();
    }

    /** The admin actions that predate the audit log are recorded through the same seam as the user routes. */
    @Test
    void aFaultSwitchIsInTheAuditLog() {
        assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("queryLatencyMs", 0)).status())
                .isEqualTo(200);
        JsonNode newest = api.get("/v1/admin/audit-log?limit=1", TestServer.ADMIN_TOKEN).json().path("entries").get(0);
        assertThat(newest.path("action").asText()).isEqualTo("PUT /v1/admin/faults");
        assertThat(newest.path("status").asInt()).isEqualTo(200);
    }

    @Test
    void theAdminTokenIsNoUserSession() {
        for (String path : List.of("/v1/me", "/v1/conversations")) {
            Response answer = api.get(path, TestServer.ADMIN_TOKEN);
            assertThat(answer.status()).as(path).isEqualTo(401);
            assertThat(answer.errorCode()).as(path).isEqualTo("unauthorized");
        }
    }

    @Test
    void withoutAConfiguredAdminTokenNoAdminRouteExistsForAnyone() {
        try (TestServer closed = TestServer.start(cfg -> new CourierConfig(cfg.http(), cfg.database(), cfg.pool(),
                cfg.sessions(), Optional.empty(), cfg.alerts(), true, cfg.stream(), cfg.security()))) {
            ApiClient client = closed.client();
            String user = client.newUser("operator").token();
            String faultsBefore = closed.server().faults().orElseThrow().current().toString();
            for (Route route : routes().toList()) {
                for (String token : new String[] {null, user, TestServer.ADMIN_TOKEN}) {
                    Response answer = call(client, route.request().apply(1), token);
                    assertThat(answer.status()).as(route + " with " + token).isEqualTo(404);
                    assertThat(answer.errorCode()).as(route + " with " + token).isEqualTo("not_found");
                    assertThat(answer.json().path("error").path("message").asText()).as("the 404 says why")
                            .contains("admin API is off", "--admin-token");
                }
            }
            assertThat(closed.server().faults().orElseThrow().current().toString()).isEqualTo(faultsBefore);
        }
    }

    private static String token(Caller caller) {
        return switch (caller) {
            case NO_TOKEN -> null;
            case USER_SESSION_TOKEN -> userToken;
            // a prefix of the right token: the comparison is of the whole token, not of what was sent
            case WRONG_ADMIN_TOKEN -> TestServer.ADMIN_TOKEN.substring(0, TestServer.ADMIN_TOKEN.length() - 1);
            case ADMIN_TOKEN -> TestServer.ADMIN_TOKEN;
        };
    }

    private static Response call(Request request, String token) {
        return call(api, request, token);
    }

    private static Response call(ApiClient client, Request request, String token) {
        return request.body() == null ? client.send(request.method(), request.path(), token, null, null)
                : client.send(request.method(), request.path(), token, "application/json", Json.write(request.body()));
    }

    /** What the admin API shows that a caller could change: the fault switches and the incidents. */
    private static String adminState() {
        JsonNode faults = api.get("/v1/admin/faults", TestServer.ADMIN_TOKEN).json();
        JsonNode incidents = api.get("/v1/admin/incidents", TestServer.ADMIN_TOKEN).json();
        JsonNode timeline = api.get("/v1/admin/incidents/" + incident, TestServer.ADMIN_TOKEN).json().path("timeline");
        // what the user routes change, and the audit log, to which a refused call must add nothing
        long deactivated = server.queryLong("SELECT count(*) FROM users WHERE deactivated_at IS NOT NULL");
        long audited = server.queryLong("SELECT count(*) FROM admin_audit_log");
        return faults + " " + incidents + " " + timeline + " deactivated=" + deactivated + " audited=" + audited;
    }
}
