package dev.courier.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestServer;
import dev.courier.web.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The logs of a run that goes through most routes, as {@code serve --log-format json --access-log} writes them: every
 * line an Elastic Common Schema document naming the service, its version and the node; one access line per request
 * with its route, status, size, client, user, request id and trace id; and not one secret the run handed out.
 */
class ObservabilityLogsTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @TempDir
    Path dir;

    @AfterEach
    void restoreLogging() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void aRunsJsonLogsAreEcsDocumentsWithOneAccessLinePerRequestAndNoSecret() throws Exception {
        Path logFile = dir.resolve("courier.log");
        capture(logFile);
        List<String> secrets = new ArrayList<>(List.of(TestServer.ADMIN_TOKEN, ApiClient.PASSWORD));
        String errorTraceId;
        try (TestServer server = TestServer.start(config -> config.withFaultInjection(true))) {
            ApiClient client = server.client();
            TestUser ada = client.newUser("ada");
            TestUser bob = client.newUser("bob");
            secrets.add(ada.token());
            secrets.add(bob.token());
            String wrongPassword = "wrong-" + UUID.randomUUID();
            secrets.add(wrongPassword);
            assertThat(client.post("/v1/sessions", null, Map.of("username", ada.username(), "password", wrongPassword))
                    .status()).isEqualTo(401);

            long direct = client.direct(ada, bob);
            client.sendMessage(ada, direct, "hello, with the password " + ApiClient.PASSWORD + " in a body");
            client.get("/v1/conversations/" + direct + "/messages?after=0", bob.token());
            client.get("/v1/conversations", ada.token());
            client.get("/v1/me", ada.token());
            client.post("/v1/conversations/" + direct + "/read", bob.token(), Map.of("seq", 1));
            client.get("/v1/admin/pool", TestServer.ADMIN_TOKEN);
            client.get("/v1/admin/incidents", TestServer.ADMIN_TOKEN);
            client.get("/v1/admin/faults", TestServer.ADMIN_TOKEN);
            String wrongAdminToken = "not-the-admin-token-" + UUID.randomUUID();
            secrets.add(wrongAdminToken);
            client.get("/v1/admin/pool", wrongAdminToken);
            client.get("/health/ready", null);
            client.get("/v1/nowhere", ada.token());
            // the stream, its token in the query as a browser sends it
            try (StreamClient stream = StreamClient.open(server.baseUrl(), bob.token(), true)) {
                stream.nextOfType("ready", Duration.ofSeconds(10));
            }
            // a refused upgrade, with a token that was never issued
            String forged = "forged" + UUID.randomUUID();
            secrets.add(forged);
            HttpResponse<String> refused = plain(server.baseUrl() + "/v1/stream?access_token=" + forged, null);
            assertThat(refused.statusCode()).isBetween(400, 499);

            // a caller's trace, carried to the error body
            HttpResponse<String> error = plain(server.baseUrl() + "/v1/conversations/" + direct,
                    "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
            assertThat(error.statusCode()).isEqualTo(401);
            errorTraceId = Json.mapper().readTree(error.body()).path("error").path("traceId").asText();
            System.out.println("error body of the traced request: " + error.body());
            assertThat(error.headers().firstValue("traceparent")).get().asString().startsWith("00-" + TRACE_ID + "-");

            client.delete("/v1/sessions/current", ada.token());
        }
        assertThat(errorTraceId).isEqualTo(TRACE_ID);

        List<String> lines = Files.readAllLines(logFile);
        List<JsonNode> documents = new ArrayList<>();
        for (String line : lines) {
            documents.add(Json.mapper().readTree(line));
        }
        assertThat(documents).isNotEmpty().allSatisfy(doc -> {
            assertThat(doc.path("@timestamp").asText()).isNotEmpty();
            assertThat(doc.path("log.level").asText()).isNotEmpty();
            assertThat(doc.path("ecs.version").asText()).isNotEmpty();
            assertThat(doc.has("message")).isTrue();
            assertThat(doc.path("service.name").asText()).isEqualTo("courier");
            assertThat(doc.path("service.version").asText()).isEqualTo("test-version");
            assertThat(doc.path("service.node.name").asText()).isEqualTo("test-node:0");
        });

        List<JsonNode> access = documents.stream()
                .filter(d -> d.path("log.logger").asText().equals(AccessLog.LOGGER)).toList();
        assertThat(access).extracting(d -> d.path("http.request.method").asText() + " "
                        + d.path("http.route").asText() + " " + d.path("http.response.status_code").asText())
                .contains("POST /v1/accounts 201", "POST /v1/sessions 401", "GET /v1/conversations/{id}/messages 200",
                        "GET /v1/admin/pool 200", "GET /v1/admin/pool 401", "GET /v1/conversations/{id} 401",
                        "GET /v1/nowhere 404".replace("/v1/nowhere", "unmatched"),
                        "DELETE /v1/sessions/current 204");
        JsonNode send = access.stream().filter(d -> d.path("http.route").asText()
                .equals("/v1/conversations/{id}/messages") && d.path("http.request.method").asText().equals("POST"))
                .findFirst().orElseThrow();
        assertThat(send.path("user.id").asText()).isNotEmpty();
        assertThat(send.path("client.address").asText()).isEqualTo("127.0.0.1");
        assertThat(send.path("http.response.body.bytes").asLong()).isPositive();
        assertThat(send.path("event.duration").asLong()).isPositive();
        assertThat(send.path("http.request.id").asText()).isNotEmpty();
        assertThat(send.path("trace.id").asText()).matches("[0-9a-f]{32}");
        assertThat(access).filteredOn(d -> d.path("trace.id").asText().equals(TRACE_ID))
                .extracting(d -> d.path("http.route").asText()).containsExactly("/v1/conversations/{id}");
        lines.stream().filter(l -> l.contains(TRACE_ID))
                .forEach(l -> System.out.println("log line of the traced request: " + l));

        String all = String.join("\n", lines);
        for (String secret : secrets) {
            assertThat(all).as("the logs carry a secret the run handed out").doesNotContain(secret);
        }
    }

    /** Root's lines and the access log into {@code file}, as serve writes them with --log-format json --access-log. */
    private static void capture(Path file) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setFile(file.toString());
        appender.setEncoder(LogFormat.json.encoder(context, new LogFormat.Identity("test-version", "test-node:0"), ""));
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
        context.getLogger(AccessLog.LOGGER).setLevel(Level.INFO);
    }

    private static HttpResponse<String> plain(String url, String traceparent) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer nope");
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
