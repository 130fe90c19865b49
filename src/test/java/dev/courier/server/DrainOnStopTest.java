package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.NodeProcess;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A node asked to stop (SIGTERM) drains: readiness fails at once, new requests and streams are refused with the
 * contract's {@code 503 overloaded} and {@code Retry-After}, the sends in flight are answered, every stream is closed
 * with 1001, and the process exits 0, all within {@code --drain-timeout}.
 */
class DrainOnStopTest {

    private static final String ADMIN = "drain-admin-token-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void sigtermAnswersTheSendsInFlightClosesStreamsWith1001AndRefusesNewWorkWhileItDrains() throws Exception {
        String database = TestDatabase.freshDatabase().jdbcUrl();
        NodeProcess node = NodeProcess.start(database, "--rate-limits", "off", "--enable-fault-injection",
                "--admin-token", ADMIN, "--drain-timeout", "15s");
        try {
            ApiClient api = new ApiClient(node.baseUrl());
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long conversation = api.direct(alice, bob);
            StreamClient aliceStream = StreamClient.connect(node.baseUrl(), alice.token());
            StreamClient bobStream = StreamClient.connect(node.baseUrl(), bob.token());

            // Every query waits a second: the sends below are still being stored when the node is told to stop.
            assertThat(api.put("/v1/admin/faults", ADMIN, Map.of("queryLatencyMs", 1_000)).status()).isEqualTo(200);
            Set<String> sent = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                String clientMsgId = UUID.randomUUID().toString();
                sent.add(clientMsgId);
                aliceStream.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", clientMsgId,
                        "body", "in flight " + i));
            }
            Thread.sleep(300);
            long stopAt = System.nanoTime();
            node.terminate();

            // readiness flips at once, well before the sends in flight are answered
            HttpResponse<String> ready = awaitReadiness(node.baseUrl(), 503, Duration.ofSeconds(2));
            assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isLessThan(Duration.ofSeconds(2));
            assertThat(ready.body()).contains("stopping");
            // new requests and streams are refused with the contract's overloaded answer
            ApiClient.Response refused = api.get("/v1/conversations", alice.token());
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("overloaded");
            assertThat(refused.header("Retry-After")).isEqualTo("1");
            assertThat(upgradeStatus(node.baseUrl(), bob.token())).isEqualTo(503);

            // every send in flight is answered with its ack, then the stream closes with 1001
            List<JsonNode> aliceFrames = new ArrayList<>();
            int aliceClose = aliceStream.awaitClose(WAIT);
            aliceFrames.addAll(aliceStream.drain());
            Set<String> acked = new HashSet<>();
            aliceFrames.stream().filter(f -> f.path("type").asText().equals("ack"))
                    .forEach(f -> acked.add(f.path("clientMsgId").asText()));
            assertThat(acked).isEqualTo(sent);
            assertThat(aliceClose).isEqualTo(1001);
            assertThat(bobStream.awaitClose(WAIT)).isEqualTo(1001);
            assertThat(node.awaitExit(WAIT)).isZero();

            // what was acknowledged is stored: another node on the same database serves it
            try (NodeProcess next = NodeProcess.start(database, "--rate-limits", "off")) {
                JsonNode history = new ApiClient(next.baseUrl())
                        .get("/v1/conversations/" + conversation + "/messages?after=0", alice.token()).json();
                Set<String> stored = new HashSet<>();
                history.path("messages").forEach(m -> stored.add(m.path("clientMsgId").asText()));
                assertThat(stored).containsAll(acked);
            }
        } finally {
            node.kill9();
        }
    }

    @Test
    void aDrainThatCannotFinishEndsAtTheDrainTimeout() throws Exception {
        String database = TestDatabase.freshDatabase().jdbcUrl();
        NodeProcess node = NodeProcess.start(database, "--rate-limits", "off", "--enable-fault-injection",
                "--admin-token", ADMIN, "--drain-timeout", "2s");
        try {
            ApiClient api = new ApiClient(node.baseUrl());
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long conversation = api.direct(alice, bob);
            StreamClient aliceStream = StreamClient.connect(node.baseUrl(), alice.token());
            // a send that cannot be stored within the drain timeout
            api.put("/v1/admin/faults", ADMIN, Map.of("queryLatencyMs", 8_000));
            aliceStream.send(Map.of("type", "send", "conversationId", conversation,
                    "clientMsgId", UUID.randomUUID().toString(), "body", "too slow"));
            Thread.sleep(300);
            long stopAt = System.nanoTime();
            node.terminate();
            assertThat(aliceStream.awaitClose(WAIT)).isEqualTo(1001);
            node.awaitExit(WAIT);
            // 2 s of drain and at most 5 s more to close the rest: the node never waits for the 8 s query and the
            // slow stops of the parts behind it
            assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isLessThan(Duration.ofSeconds(9));
        } finally {
            node.kill9();
        }
    }

    private static HttpResponse<String> awaitReadiness(String baseUrl, int status, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<String> last;
        do {
            last = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("readiness still " + last.statusCode() + ": " + last.body());
    }

    private static int upgradeStatus(String baseUrl, String token) {
        try {
            WebSocket ws = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create(baseUrl.replaceFirst("^http", "ws") + "/v1/stream"),
                            new WebSocket.Listener() { }).join();
            ws.abort();
            return 101;
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw e;
        }
    }
}
