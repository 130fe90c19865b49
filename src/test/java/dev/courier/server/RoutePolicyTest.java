package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestServer;
import dev.courier.web.AdminAuthentication;
import dev.courier.web.AdmissionGate;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.websocket.WsHandlerType;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route the server registers declares its policy where it is registered, and the rules that must run before
 * routing, by path (the admission gate, the admin token check), agree with those declarations.
 */
class RoutePolicyTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        // fault injection on, so that its routes are registered too
        server = TestServer.start(config -> config.withFaultInjection(true));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyRegisteredRouteDeclaresItsPolicy() {
        var router = server.server().router();
        List<String> registered = Stream.concat(
                router.allHttpHandlers().stream().map(parsed -> parsed.endpoint)
                        .filter(endpoint -> endpoint.method.isHttpMethod())
                        .map(endpoint -> endpoint.method + " " + endpoint.path),
                router.allWsHandlers().stream().filter(entry -> entry.getType() == WsHandlerType.WEBSOCKET)
                        .map(entry -> Routes.WEBSOCKET + " " + entry.getPath())).toList();
        List<String> declared = server.server().declaredRoutes().stream()
                .map(route -> route.method() + " " + route.path()).toList();

        assertThat(registered).as("routes registered on Javalin without web.Routes")
                .containsExactlyInAnyOrderElementsOf(declared);
        assertThat(router.allHttpHandlers()).map(parsed -> parsed.endpoint)
                .filteredOn(endpoint -> endpoint.method.isHttpMethod())
                .allSatisfy(endpoint -> assertThat(endpoint.metadata(RoutePolicy.class))
                        .as(endpoint.method + " " + endpoint.path).isNotNull());
        assertThat(declared).as("every route of the contract").contains("POST /v1/accounts",
                "POST /v1/conversations/{id}/messages", "WEBSOCKET /v1/stream", "PUT /v1/admin/faults",
                "GET /metrics");
    }

    @Test
    void theAdmissionGateRefusesExactlyTheRoutesDeclaredAdmitted() {
        SoftAssertions softly = new SoftAssertions();
        for (Routes.Declared route : server.server().declaredRoutes()) {
            boolean admitted = route.policy().admission() != RoutePolicy.Admission.EXEMPT;
            softly.assertThat(AdmissionGate.guards(concrete(route.path())))
                    .as("%s %s, declared %s: refused by the gate while the limit is reached", route.method(),
                            route.path(), route.policy().admission())
                    .isEqualTo(admitted);
        }
        softly.assertAll();
    }

    @Test
    void theAdminPathsAreExactlyTheRoutesDeclaredForTheOperator() {
        SoftAssertions softly = new SoftAssertions();
        for (Routes.Declared route : server.server().declaredRoutes()) {
            boolean operator = route.policy().caller() == RoutePolicy.Caller.ADMIN;
            softly.assertThat(concrete(route.path()).startsWith(AdminAuthentication.PATHS))
                    .as("%s %s, declared for %s: under the admin paths", route.method(), route.path(),
                            route.policy().caller())
                    .isEqualTo(operator);
        }
        softly.assertAll();
    }

    @Test
    void aHeadRequestIsHeldToThePolicyOfItsGetRoute() {
        ApiClient api = server.client();
        TestUser user = api.newUser("head");

        assertThat(api.send("HEAD", "/v1/me", null, null, null).status()).isEqualTo(401);
        assertThat(api.send("HEAD", "/v1/me", user.token(), null, null).status()).isEqualTo(200);
        assertThat(api.send("HEAD", "/v1/admin/pool", user.token(), null, null).status()).isEqualTo(401);
        assertThat(api.send("HEAD", "/v1/admin/pool", TestServer.ADMIN_TOKEN, null, null).status()).isEqualTo(200);
        assertThat(api.send("HEAD", "/health/live", null, null, null).status()).isEqualTo(200);
    }

    /** A path the route matches: each path parameter filled in. */
    private static String concrete(String template) {
        return template.replaceAll("\\{[^}]+}", "1");
    }
}
