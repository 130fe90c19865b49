package dev.courier.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL frozen (bench/faults.sh scenario b): the writers sit in statements that do not return, their queue
 * stands, and the node finds the database unreachable. A send is then answered as it is over REST, {@code unavailable}
 * (come back in seconds, the database is the trouble), not {@code overloaded} (this node is busy, retry at once),
 * which sent clients back every second to a database that was not there.
 */
class SendWhileDatabaseUnreachableTest {

    @Test
    void aSocketSendWhileTheDatabaseIsUnreachableAndTheWritersAreStuckIsAnsweredUnavailable() {
        try (TestServer server = TestServer.start(TestServer.defaultConfig(TestDatabase.freshDatabase())
                .withFaultInjection(true))) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("frozen");
            List<Long> conversations = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                conversations.add(api.direct(alice, api.newUser("frozen")));
            }
            try (StreamClient stream = StreamClient.connect(server.baseUrl(), alice.token())) {
                // every statement now takes 4 s: the writers take one batch each and stay in it
                assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("queryLatencyMs", 4000))
                        .status()).isEqualTo(200);
                try {
                    for (long conversation : conversations) {
                        stream.send(send(conversation));
                    }
                    sleep(400);   // the sends no writer could take have waited past the queue's target
                    assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("databaseDown", true))
                            .status()).isEqualTo(200);
                    // sends keep coming, as they do from many clients: none may be told "overloaded"
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        Map<String, Object> more = send(conversations.get(i % conversations.size()));
                        ids.add((String) more.get("clientMsgId"));
                        stream.send(more);
                        sleep(40);
                    }
                    Map<String, String> codes = answers(stream, ids);
                    assertThat(codes).as("error code by clientMsgId").hasSize(ids.size())
                            .allSatisfy((id, code) -> assertThat(code).isEqualTo("unavailable"));
                } finally {
                    api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN,
                            Map.of("queryLatencyMs", 0, "databaseDown", false));
                }
            }
        }
    }

    private static Map<String, Object> send(long conversation) {
        return Map.of("type", "send", "conversationId", conversation, "clientMsgId", UUID.randomUUID().toString(),
                "body", "while frozen");
    }

    /** The error code answered to each of {@code ids} ("ack" for one stored), read within 20 s. */
    private static Map<String, String> answers(StreamClient stream, List<String> ids) {
        Map<String, String> codes = new java.util.HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (codes.size() < ids.size() && System.nanoTime() < deadline) {
            JsonNode frame = stream.poll(Duration.ofMillis(500));
            if (frame != null && ids.contains(frame.path("clientMsgId").asText())) {
                codes.put(frame.path("clientMsgId").asText(), frame.path("type").asText().equals("error")
                        ? frame.path("error").path("code").asText() : frame.path("type").asText());
            }
        }
        return codes;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
