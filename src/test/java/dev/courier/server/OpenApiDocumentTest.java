package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.OpenApiContract;
import dev.courier.testing.TestServer;
import dev.courier.web.Routes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * openapi.yaml and the server describe the same API: every route the server registers is an operation of the
 * document, every operation is a registered route, and the document is served as JSON. That each exchange of the
 * suite fits the document is checked by every REST test ({@link OpenApiContract} in {@link ApiClient}); the last tests
 * here show that the check does refuse what does not fit.
 */
class OpenApiDocumentTest {

    private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "patch");

    private static TestServer server;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        // fault injection on, so that every route there is gets registered
        server = TestServer.start(config -> config.withFaultInjection(true));
        client = server.client();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyRouteTheServerRegistersIsInTheDocumentAndEveryOperationThereIsRegistered() {
        Set<String> registered = new TreeSet<>();
        for (Routes.Declared route : server.server().declaredRoutes()) {
            if (route.method().equals("HEAD")) {
                continue;  // declared with each GET, answered empty; not an operation of its own
            }
            // a WebSocket is reached by a GET that asks to upgrade
            String method = route.method().equals(Routes.WEBSOCKET) ? "GET" : route.method();
            registered.add(method + " " + route.path());
        }
        Set<String> documented = new TreeSet<>();
        JsonNode paths = OpenApiContract.get().document().path("paths");
        paths.fieldNames().forEachRemaining(path -> paths.path(path).fieldNames().forEachRemaining(method -> {
            if (OPERATIONS.contains(method)) {
                documented.add(method.toUpperCase(Locale.ROOT) + " " + path);
            }
        }));

        assertThat(registered).as("routes the server has that openapi.yaml lacks (docs/api.md says how to add one)")
                .isSubsetOf(documented);
        assertThat(documented).as("operations in openapi.yaml that the server does not have")
                .isSubsetOf(registered);
    }

    @Test
    void theDocumentIsServedAsJsonAtOpenapiJson() throws Exception {
        ApiClient.Response served = client.get("/openapi.json", null);

        assertThat(served.status()).isEqualTo(200);
        assertThat(served.header("Content-Type")).startsWith("application/json");
        assertThat(served.json()).isEqualTo(OpenApiContract.get().document());
        assertThat(served.json().path("openapi").asText()).isEqualTo("3.1.0");
    }

    @Test
    void theReferencePageRendersTheDocumentFromFilesInTheJar() {
        ApiClient.Response page = client.get("/api-docs/", null);

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("src=\"/vendor/swagger-ui/swagger-ui-bundle.js\"",
                "src=\"/api-docs/api-docs.js\"").doesNotContain("http://", "https://");
        assertThat(client.get("/api-docs/api-docs.js", null).body()).contains("url: '/openapi.json'");
        assertThat(client.get("/vendor/swagger-ui/swagger-ui-bundle.js", null).status()).isEqualTo(200);
    }

    @Test
    void theCheckRefusesAFieldTheDocumentDoesNotDescribe() {
        String user = "{\"id\":1,\"username\":\"ada\",\"displayName\":\"Ada\",\"createdAt\":\"2026-12-07T10:00:00Z\","
                + "\"online\":null,\"lastSeenAt\":null,\"nickname\":\"ad\"}";

        assertThat(problems("GET", "/v1/me", null, 200, user)).singleElement().asString()
                .contains("nickname");
        assertThat(problems("GET", "/v1/me", null, 200, user.replace(",\"nickname\":\"ad\"", ""))).isEmpty();
    }

    @Test
    void theCheckRefusesAStatusOrARouteTheDocumentDoesNotList() {
        assertThat(problems("GET", "/v1/me", null, 418, "{}")).singleElement().asString()
                .contains("status 418 is not among");
        assertThat(problems("GET", "/v1/nowhere", null, 200, "{}")).singleElement().asString()
                .contains("not in the document");
        String notFound = "{\"error\":{\"code\":\"not_found\",\"message\":\"no such resource\"}}";
        assertThat(problems("GET", "/v1/nowhere", null, 404, notFound)).isEmpty();
    }

    @Test
    void theCheckRefusesAnAcceptedRequestTheDocumentCallsInvalid() {
        String missingPassword = "{\"username\":\"ada\"}";
        String error = "{\"error\":{\"code\":\"validation_failed\",\"message\":\"password is required\","
                + "\"field\":\"password\"}}";

        assertThat(problems("POST", "/v1/sessions", missingPassword, 400, error)).isEmpty();
        assertThat(problems("POST", "/v1/accounts", missingPassword, 201,
                "{\"id\":1,\"username\":\"ada\",\"displayName\":\"ada\",\"createdAt\":\"2026-12-07T10:00:00Z\","
                        + "\"online\":null,\"lastSeenAt\":null}"))
                .first().asString().contains("answered 201 to a request body the document refuses");
    }

    private static List<String> problems(String method, String path, String requestBody, int status, String body) {
        return new ArrayList<>(OpenApiContract.get().problems(new OpenApiContract.Exchange(method, path,
                requestBody == null ? null : "application/json",
                requestBody == null ? null : requestBody.getBytes(StandardCharsets.UTF_8), status,
                Optional.of("application/json"), body)));
    }
}
