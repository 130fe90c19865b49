package dev.courier.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** SQL, JSON, header and log injection: each is stored or refused as plain data, changes nothing, leaks nothing. */
@ExtendWith(TestServerExtension.class)
class InjectionTest {

    private static final List<String> SQL = List.of(
            "' OR '1'='1", "'; DROP TABLE messages; --", "\"; DELETE FROM users; --", "1; UPDATE users SET username='x'",
            "$$; DROP TABLE sessions; $$", "\\'; SELECT pg_sleep(5); --", "' UNION SELECT password_hash FROM users --");

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;
    private static ListAppender<ILoggingEvent> logged;

    @BeforeAll
    static void captureLogs() {
        logged = new ListAppender<>();
        logged.start();
        root().addAppender(logged);
    }

    @AfterAll
    static void stopCapturingLogs() {
        root().detachAppender(logged);
    }

    @Test
    void sqlInTextFieldsIsStoredAsTextAndInNamesIsRefused() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long group = api.group(alice, "g", bob);
        long usersBefore = server.queryLong("SELECT count(*) FROM users");
        for (String attack : SQL) {
            assertThat(api.post("/v1/accounts", null, Map.of("username", attack, "password", ApiClient.PASSWORD))
                    .errorCode()).isEqualTo("validation_failed");
            assertThat(api.post("/v1/sessions", null, Map.of("username", attack, "password", attack)).status())
                    .isEqualTo(401);
            assertThat(api.post("/v1/sessions", null, Map.of("username", alice.username(), "password", attack))
                    .status()).isEqualTo(401);
            assertThat(api.get("/v1/users/" + java.net.URLEncoder.encode(attack, StandardCharsets.UTF_8)
                    .replace("+", "%20"), alice.token()).status()).isEqualTo(404);
            Response sent = api.sendMessage(alice, group, attack);
            assertThat(sent.status()).isEqualTo(201);
            assertThat(sent.json().path("body").asText()).isEqualTo(attack);
            Response titled = api.post("/v1/conversations", alice.token(),
                    Map.of("type", "group", "title", attack, "members", List.of(bob.id())));
            assertThat(titled.json().path("title").asText()).isEqualTo(attack);
            assertThat(api.get("/v1/conversations?cursor=" + java.net.URLEncoder.encode(attack, StandardCharsets.UTF_8),
                    alice.token()).errorCode()).isEqualTo("validation_failed");
            Response searched = api.get("/v1/search?q=" + java.net.URLEncoder.encode(attack, StandardCharsets.UTF_8)
                    + "&conversationId=" + group, alice.token());
            assertThat(searched.status()).as("%s", searched).isIn(200, 400);
            assertThat(api.get("/v1/search?q=x&cursor=" + java.net.URLEncoder.encode(attack, StandardCharsets.UTF_8),
                    alice.token()).errorCode()).isEqualTo("validation_failed");
        }
        assertThat(server.queryLong("SELECT count(*) FROM users")).isEqualTo(usersBefore);
        assertThat(server.queryLong("SELECT count(*) FROM messages WHERE conversation_id = " + group))
                .isEqualTo(SQL.size());
        assertThat(api.get("/v1/me", alice.token()).json().path("username").asText()).isEqualTo(alice.username());
    }

    @Test
    void jsonInjectedFieldsAreIgnoredAndQuotedTextStaysText() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        String forged = "x\",\"senderId\":" + bob.id() + ",\"seq\":99,\"body\":\"y";
        Response sent = api.post("/v1/conversations/" + conversation + "/messages", alice.token(), Map.of(
                "clientMsgId", UUID.randomUUID().toString(), "body", forged,
                "senderId", bob.id(), "seq", 99, "id", 1, "conversationId", 12345, "createdAt", "1970-01-01T00:00:00Z"));
        assertThat(sent.status()).isEqualTo(201);
        JsonNode message = sent.json();
        assertThat(message.path("body").asText()).isEqualTo(forged);
        assertThat(message.path("senderId").asLong()).isEqualTo(alice.id());
        assertThat(message.path("seq").asLong()).isEqualTo(1);
        assertThat(message.path("conversationId").asLong()).isEqualTo(conversation);

        Response owner = api.post("/v1/conversations", alice.token(), Map.of("type", "group", "title", "t",
                "members", List.of(bob.id()), "ownerId", bob.id(), "id", 1));
        assertThat(owner.json().path("ownerId").asLong()).isEqualTo(alice.id());

        Response duplicate = api.post("/v1/conversations/" + conversation + "/messages", alice.token(),
                "{\"clientMsgId\": \"" + UUID.randomUUID() + "\", \"body\": \"a\", \"body\": \"b\"}");
        assertThat(duplicate.errorCode()).isEqualTo("malformed_json");
        Response proto = api.post("/v1/accounts", null, "{\"__proto__\": {\"admin\": true}, \"constructor\": 1, "
                + "\"username\": \"" + ApiClient.uniqueUsername("proto") + "\", \"password\": \"" + ApiClient.PASSWORD + "\"}");
        assertThat(proto.status()).isEqualTo(201);
        assertThat(proto.json().has("admin")).isFalse();
    }

    @Test
    void aClientCannotMakeTheServerWriteHeadersOrChooseItsRequestId() throws Exception {
        String raw = rawExchange("GET /v1/users/a%0d%0aSet-Cookie:%20pwned=1 HTTP/1.1\r\nHost: x\r\n"
                + "X-Request-Id: attacker-chosen\r\nConnection: close\r\n\r\n");
        String head = raw.substring(0, raw.indexOf("\r\n\r\n"));
        assertThat(raw).startsWith("HTTP/1.1 401");
        assertThat(head).doesNotContainIgnoringCase("Set-Cookie").doesNotContain("attacker-chosen");

        String split = rawExchange("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\rSet-Cookie: a=b"
                + "\r\nConnection: close\r\n\r\n");
        assertThat(split.substring(0, Math.max(0, split.indexOf("\r\n\r\n")))).doesNotContainIgnoringCase("Set-Cookie: a=b");
    }

    @Test
    void noLogLineCarriesATokenOrAForgedLine() {
        TestUser alice = api.newUser("alice");
        String forgedLine = "ok\n12:00:00.000 ERROR [-] d.c.server.CourierServer - forged";
        api.post("/v1/sessions", null, Map.of("username", forgedLine, "password", forgedLine));
        api.post("/v1/accounts", null, Map.of("username", forgedLine, "password", forgedLine));
        api.get("/v1/users/" + java.net.URLEncoder.encode(forgedLine, StandardCharsets.UTF_8), alice.token());
        api.get("/v1/me", alice.token() + "x");
        api.delete("/v1/sessions/current", alice.token());
        api.get("/v1/me", alice.token());

        OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>) root().getAppender("STDERR");
        for (ILoggingEvent event : List.copyOf(logged.list)) {
            String line = new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
            assertThat(line).doesNotContain(alice.token()).doesNotContain("password_hash");
            String firstLine = line.contains("\n") ? line.substring(0, line.indexOf('\n')) : line;
            assertThat(firstLine).doesNotContain("forged");
        }
        // the encoder folds line breaks in a message whoever wrote it
        LoggingEvent hostile = new LoggingEvent("test", root(), Level.WARN, "user said {}", null,
                new Object[] {forgedLine});
        String encoded = new String(console.getEncoder().encode(hostile), StandardCharsets.UTF_8);
        assertThat(encoded.strip()).doesNotContain("\n").doesNotContain("\r").contains("forged");
    }

    @Test
    void tokensAppearOnlyInTheLoginAnswer() {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        List<Response> answers = List.of(
                api.get("/v1/me", alice.token()),
                api.get("/v1/users/" + alice.username(), bob.token()),
                api.get("/v1/conversations", alice.token()),
                api.get("/v1/conversations/" + conversation, bob.token()),
                api.sendMessage(alice, conversation, alice.token()),
                api.get("/v1/me", alice.token() + "tampered"));
        for (Response answer : answers) {
            assertThat(answer.body()).doesNotContain("password").doesNotContain("token_hash");
        }
        // the one body that carries a token is the message alice chose to send
        assertThat(answers.get(0).body()).doesNotContain(alice.token());
        assertThat(answers.get(5).body()).doesNotContain(alice.token());
    }

    private static Logger root() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private static String rawExchange(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
