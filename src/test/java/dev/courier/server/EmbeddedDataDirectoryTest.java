package dev.courier.server;

import static dev.courier.testing.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server on the embedded PostgreSQL: what its data directory keeps, and who may use it. */
class EmbeddedDataDirectoryTest {

    /**
     * One data directory for the class: each test starts its own servers on it, with users of its own, and only
     * the first start pays for initdb.
     */
    @TempDir
    static Path dataDir;

    @Test
    void restartOnTheSameDataDirectoryKeepsUsersSessionsConversationsAndMessages() {
        TestUser ann;
        TestUser bob;
        long direct;
        long group;
        String clientMsgId = UUID.randomUUID().toString();
        CourierServer first = CourierServer.start(TestServer.embeddedConfig(dataDir));
        try {
            ApiClient api = client(first);
            ann = api.newUser("ann");
            bob = api.newUser("bob");
            direct = api.direct(ann, bob);
            group = api.group(ann, "kept", bob);
            api.post("/v1/conversations/" + direct + "/messages", ann.token(),
                    Map.of("clientMsgId", clientMsgId, "body", "survives a restart"));
            api.sendMessage(bob, group, "so does this");
            api.post("/v1/conversations/" + direct + "/read", bob.token(), Map.of("seq", 1));
        } finally {
            first.close();
        }

        CourierServer second = CourierServer.start(TestServer.embeddedConfig(dataDir));
        try {
            ApiClient api = client(second);
            // The tokens issued before the restart still work: sessions live in the database.
            assertThat(api.get("/v1/me", ann.token()).json().path("id").asLong()).isEqualTo(ann.id());
            assertThat(api.login(bob.username()).id()).isEqualTo(bob.id());

            JsonNode seenByBob = api.get("/v1/conversations/" + direct, bob.token()).json();
            assertThat(seenByBob.path("lastSeq").asLong()).isEqualTo(1);
            assertThat(seenByBob.path("readSeq").asLong()).isEqualTo(1);
            JsonNode history = api.get("/v1/conversations/" + direct + "/messages", bob.token()).json();
            assertThat(history.path("messages").get(0).path("body").asText()).isEqualTo("survives a restart");
            assertThat(api.get("/v1/conversations", ann.token()).json().path("conversations")).hasSize(2);
            assertThat(api.get("/v1/conversations/" + group + "/messages", ann.token()).json().path("messages"))
                    .hasSize(1);

            // Idempotency and the seq counter carry over too.
            assertThat(api.post("/v1/conversations/" + direct + "/messages", ann.token(),
                    Map.of("clientMsgId", clientMsgId, "body", "survives a restart")).status()).isEqualTo(200);
            assertThat(api.sendMessage(ann, direct, "next").json().path("seq").asLong()).isEqualTo(2);
        } finally {
            second.close();
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryRefusesWithAClearMessage() {
        CourierServer first = CourierServer.start(TestServer.embeddedConfig(dataDir));
        try {
            TestUser ann = client(first).newUser("ann");

            assertThatThrownBy(() -> CourierServer.start(TestServer.embeddedConfig(dataDir)).close())
                    .hasMessageContaining("in use by another Courier server")
                    .hasMessageContaining(dataDir.toAbsolutePath().toString())
                    .hasMessageContaining("--data-dir");

            // The first server is unharmed.
            assertThat(client(first).get("/v1/me", ann.token()).status()).isEqualTo(200);
            assertThat(client(first).sendMessage(ann, client(first).group(ann, "still fine"), "ok").status())
                    .isEqualTo(201);
        } finally {
            first.close();
        }
    }

    @Test
    void anUnreachableDatabaseIsAnsweredWithUnavailableAndRetryAfterThenRecovers() {
        CourierServer server = CourierServer.start(TestServer.embeddedConfig(dataDir));
        try {
            ApiClient api = client(server);
            TestUser ann = api.newUser("ann");
            long group = api.group(ann, "outage");

            server.embedded().suspend();
            assertError(api.get("/v1/conversations/" + group, ann.token()), 503, "unavailable", null);
            assertError(api.post("/v1/accounts", null, Map.of("username", ApiClient.uniqueUsername("down"),
                    "password", "password1")), 503, "unavailable", null);
            assertThat(api.get("/health/ready", null).status()).isEqualTo(503);
            assertThat(api.get("/health/live", null).status()).isEqualTo(200);

            server.embedded().resume();
            assertThat(eventually(() -> api.sendMessage(ann, group, "back").status())).isEqualTo(201);
            assertThat(api.get("/health/ready", null).status()).isEqualTo(200);
        } finally {
            server.close();
        }
    }

    /** The pool reconnects on its own after the database returns; give it a few seconds. */
    private static int eventually(java.util.function.IntSupplier status) {
        int last = 0;
        for (int i = 0; i < 50; i++) {
            last = status.getAsInt();
            if (last < 500) {
                return last;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return last;
    }

    private static ApiClient client(CourierServer server) {
        return new ApiClient("http://127.0.0.1:" + server.port());
    }
}
