package dev.courier.export;

import static dev.courier.testing.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.JdbcTarget;
import dev.courier.config.RateLimitConfig;
import dev.courier.config.SecurityConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.ServeProcess;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import dev.courier.web.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/me/export}: one JSON document, written as it is read, a few times an hour at most. */
class ExportApiTest {

    /** {@code n} messages of the user in the conversation, seqs after what the API stored there. */
    private static void addMessages(JdbcTarget database, long conversation, TestUser sender, int n) {
        TestDatabase.execute(database, "INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, body) "
                + "SELECT " + conversation + ", c.last_seq + g, " + sender.id() + ", gen_random_uuid(), "
                + "'bulk message number ' || g FROM conversations c, generate_series(1, " + n + ") g WHERE c.id = "
                + conversation);
        TestDatabase.execute(database, "UPDATE conversations SET last_seq = last_seq + " + n + " WHERE id = "
                + conversation);
    }

    @Test
    void theExportHoldsTheUserTheirConversationsAndEveryMessageTheySentInConversationAndSeqOrder() {
        JdbcTarget database = TestDatabase.freshDatabase();
        try (TestServer server = TestServer.start(TestServer.defaultConfig(database))) {
            ApiClient api = server.client();
            TestUser user = api.newUser("exporter");
            TestUser other = api.newUser("other");
            long direct = api.direct(user, other);
            long group = api.group(other, "group", user);
            assertThat(api.sendMessage(user, direct, "hello \"quoted\" \u00e9 \uD83D\uDE00").status()).isEqualTo(201);
            assertThat(api.sendMessage(other, direct, "not mine").status()).isEqualTo(201);
            addMessages(database, group, user, 2_345);
            assertThat(api.deleteMessage(user, direct, 1).status()).isEqualTo(204);

            Response export = api.get("/v1/me/export", user.token());
            assertThat(export.status()).isEqualTo(200);
            assertThat(export.header("Content-Type")).startsWith("application/json");
            assertThat(export.header("Content-Disposition")).contains("attachment");
            JsonNode document = export.json();
            assertThat(document.path("exportedAt").isTextual()).isTrue();
            assertThat(document.path("user").path("id").asLong()).isEqualTo(user.id());
            assertThat(document.path("user").path("username").asText()).isEqualTo(user.username());
            assertThat(document.path("conversations")).extracting(c -> c.path("id").asLong())
                    .containsExactlyInAnyOrder(direct, group);
            JsonNode messages = document.path("messages");
            assertThat(messages).hasSize(2_346);
            assertThat(messages).allSatisfy(m -> assertThat(m.path("senderId").asLong()).isEqualTo(user.id()));
            List<long[]> order = new ArrayList<>();
            messages.forEach(m -> order.add(new long[] {m.path("conversationId").asLong(), m.path("seq").asLong()}));
            for (int i = 1; i < order.size(); i++) {
                long[] a = order.get(i - 1);
                long[] b = order.get(i);
                assertThat(a[0] < b[0] || (a[0] == b[0] && a[1] < b[1])).as("message %d in order", i).isTrue();
            }
            // as the API shows them, tombstones included
            JsonNode first = messages.get(0);
            assertThat(first.path("conversationId").asLong()).isEqualTo(direct);
            assertThat(first.path("deletedAt").isNull()).isFalse();
            assertThat(messages.get(1).path("body").asText()).isEqualTo("bulk message number 1");
            assertThat(messages.get(2_345).path("body").asText()).isEqualTo("bulk message number 2345");
        }
    }

    @Test
    void exportsAreLimitedPerUserWithRetryAfter() {
        try (TestServer server = TestServer.start(config -> config.withSecurity(SecurityConfig.defaults()
                .withRateLimits(RateLimitConfig.parse("exports=2/1h"))))) {
            ApiClient api = server.client();
            TestUser user = api.newUser("exporter");
            TestUser neighbour = api.newUser("neighbour");
            assertThat(api.get("/v1/me/export", user.token()).status()).isEqualTo(200);
            assertThat(api.get("/v1/me/export", user.token()).status()).isEqualTo(200);
            Response refused = api.get("/v1/me/export", user.token());
            assertError(refused, 429, "rate_limited", null);
            assertThat(Integer.parseInt(refused.header("Retry-After"))).isGreaterThan(60);
            assertThat(api.get("/v1/me/export", neighbour.token()).status()).as("per user").isEqualTo(200);
        }
    }

    /**
     * A server with a 64 MiB heap exports 300,000 messages: held in memory at once they would need several times
     * that, so the export must stream. Read with a streaming parser, so the test holds none of them either.
     */
    @Test
    void aServerWithASmallHeapExportsThreeHundredThousandMessages(@TempDir Path dir) throws Exception {
        JdbcTarget database = TestDatabase.freshDatabase();
        int count = 300_000;
        try (ServeProcess serve = ServeProcess.start(dir.resolve("data"), List.of("-Xmx64m"),
                "--db-url", database.jdbcUrl())) {
            ApiClient api = serve.client();
            TestUser user = api.newUser("big");
            long group = api.group(user, "big", api.newUser("other"));
            addMessages(database, group, user, count);

            HttpRequest request = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/v1/me/export"))
                    .header("Authorization", "Bearer " + user.token()).build();
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            long messages = 0;
            long lastSeq = 0;
            boolean inMessages = false;
            try (InputStream body = response.body(); JsonParser parser = Json.mapper().createParser(body)) {
                JsonToken token;
                int depth = 0;
                while ((token = parser.nextToken()) != null) {
                    if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                        depth++;
                    } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                        depth--;
                    } else if (token == JsonToken.FIELD_NAME && depth == 1) {
                        inMessages = parser.currentName().equals("messages");
                    } else if (inMessages && depth == 3 && token == JsonToken.FIELD_NAME
                            && parser.currentName().equals("seq")) {
                        parser.nextToken();
                        long seq = parser.getLongValue();
                        assertThat(seq).isGreaterThan(lastSeq);
                        lastSeq = seq;
                        messages++;
                    }
                }
            }
            assertThat(messages).isEqualTo(count);
            assertThat(serve.output()).doesNotContain("OutOfMemoryError");
        }
    }
}
