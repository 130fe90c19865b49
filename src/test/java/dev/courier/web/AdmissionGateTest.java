package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** While the admission limit is reached, database-bound requests are refused before the application sees them. */
class AdmissionGateTest {

    private final AtomicBoolean limitReached = new AtomicBoolean();
    private final List<String> reachedTheApplication = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Server server;

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        AdmissionGate gate = new AdmissionGate(limitReached::get,
                (path, authorization, nanos) -> refusals.add(path + " " + authorization));
        gate.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                reachedTheApplication.add(request.getHttpURI().getPath());
                response.setStatus(200);
                callback.succeeded();
                return true;
            }
        });
        server.setHandler(gate);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void aV1RequestIsRefusedOverloadedWithRetryAfterAndTheConnectionKeptOpen() throws Exception {
        limitReached.set(true);

        HttpResponse<String> refused = get("/v1/conversations/7/messages");

        assertThat(refused.statusCode()).isEqualTo(503);
        JsonNode error = Json.mapper().readTree(refused.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("overloaded");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.headers().firstValue(RequestIds.HEADER)).isPresent();
        assertThat(refused.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(refused.headers().firstValue("Connection")).as("a client told to come back keeps its connection")
                .isEmpty();
        assertThat(reachedTheApplication).isEmpty();
        assertThat(refusals).containsExactly("/v1/conversations/7/messages Bearer t0ken");
    }

    @Test
    void adminRequestsAndPagesOutsideV1PassWhileTheLimitIsReached() throws Exception {
        limitReached.set(true);

        assertThat(get("/v1/admin/pool").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        assertThat(get("/").statusCode()).isEqualTo(200);

        assertThat(reachedTheApplication).containsExactly("/v1/admin/pool", "/health/ready", "/");
        assertThat(refusals).isEmpty();
    }

    @Test
    void belowTheLimitEveryRequestPasses() throws Exception {
        assertThat(get("/v1/conversations/7/messages").statusCode()).isEqualTo(200);

        assertThat(reachedTheApplication).containsExactly("/v1/conversations/7/messages");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + path))
                .header("Authorization", "Bearer t0ken").build(), HttpResponse.BodyHandlers.ofString());
    }
}
