package dev.courier.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.db.Database;
import dev.courier.db.DatabaseTarget;
import dev.courier.db.PooledDatabaseFactory;
import dev.courier.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.web.Json;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** {@code append_messages} as the writers call it: one statement per batch, one outcome per send. */
class MessageStoreTest {

    private static final AtomicInteger NEXT_NAME = new AtomicInteger();
    private static JdbcTarget target;
    private static Database db;
    private final MessageStore store = new MessageStore();

    @BeforeAll
    static void open() {
        target = TestDatabase.freshDatabase();
        db = PooledDatabaseFactory.open(new DatabaseTarget(target.jdbcUrl(), target.user(), target.password(), "test"),
                PoolConfig.defaults().withMaxSize(4), new SimpleMeterRegistry(), () -> { });
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void everySendOfABatchGetsTheOutcomeOfItsOwnPlaceInTheBatch() {
        long alice = newUser();
        long bob = newUser();
        long carol = newUser();
        long withBob = newConversation(alice, bob);
        long withoutAlice = newConversation(bob, carol);
        long withCarol = newConversation(alice, carol);
        UUID first = UUID.randomUUID();
        UUID later = UUID.randomUUID();

        List<MessageStore.Appended> out = append(List.of(
                send(alice, withBob, first, "first"),
                send(alice, withoutAlice, UUID.randomUUID(), "not a member"),
                send(alice, withCarol, UUID.randomUUID(), "to carol"),
                send(alice, withBob, first, "first"),
                send(alice, withBob, later, "second")));

        assertThat(out).extracting(MessageStore.Appended::member).containsExactly(true, false, true, true, true);
        assertThat(out).extracting(MessageStore.Appended::created).containsExactly(true, false, true, false, true);
        assertThat(out.get(1).message()).isNull();
        assertThat(List.of(out.get(0).message(), out.get(2).message(), out.get(4).message()))
                .extracting(Message::conversationId, Message::seq, Message::body)
                .containsExactly(tuple(withBob, 1L, "first"),
                        tuple(withCarol, 1L, "to carol"),
                        tuple(withBob, 2L, "second"));
        assertThat(out.get(3).message().id()).isEqualTo(out.get(0).message().id());
        List<Message> refused = db.withHandle("test.history", h -> store.after(h, withoutAlice, 0, 10));
        assertThat(refused).isEmpty();

        List<MessageStore.Appended> retried = append(List.of(send(alice, withBob, later, "second")));
        assertThat(retried).extracting(MessageStore.Appended::created).containsExactly(false);
        assertThat(retried.getFirst().message().id()).isEqualTo(out.get(4).message().id());
    }

    @Test
    void bodiesWithQuotesBackslashesEmojiAndNewlinesAreStoredAndReadBackByteIdentical() {
        long alice = newUser();
        long conversation = newConversation(alice, newUser());
        List<String> bodies = List.of(
                "she said \"hi\" and 'bye'",
                "back\\slash, \\n is not a newline, \\\\ two, trailing \\",
                "emoji 😀 👍🏽 👩‍👩‍👧 and a clef 𝄞",
                "line one\nline two\r\nline three\ttabbed",
                "{\"looks\": [\"like\", \"json\"]}",
                "{an,array,literal} and (a,row)",
                "NULL",
                "  spaces at both ends  ",
                "\u0001 controls \u001f\u007f and separators \u2028\u2029",
                "ünïcödé ÆØÅ ß 漢字 한국어 עברית");
        List<PendingSend> batch = new ArrayList<>();
        for (String body : bodies) {
            batch.add(send(alice, conversation, UUID.randomUUID(), body));
        }

        List<MessageStore.Appended> out = append(batch);
        List<Message> history = db.withHandle("test.history", h -> store.after(h, conversation, 0, 100));

        assertThat(out).extracting(MessageStore.Appended::created).containsOnly(true);
        assertThat(out).extracting(a -> utf8(a.message().body())).containsExactlyElementsOf(
                bodies.stream().map(MessageStoreTest::utf8).toList());
        assertThat(history).extracting(m -> utf8(m.body())).containsExactlyElementsOf(
                bodies.stream().map(MessageStoreTest::utf8).toList());
    }

    @Test
    void aBatchIsAnnouncedInStoreOrderWithOneNotificationPer7900Bytes() throws Exception {
        long alice = newUser();
        long bob = newUser();
        long conversation = newConversation(alice, bob);
        List<PendingSend> batch = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            batch.add(send(i % 2 == 0 ? alice : bob, conversation, UUID.randomUUID(), i + " " + "é".repeat(150)));
        }
        batch.add(30, send(alice, conversation, UUID.randomUUID(), "x".repeat(7_900)));
        batch.add(send(alice, conversation, batch.getFirst().clientMsgId(), batch.getFirst().body()));

        List<String> payloads = new ArrayList<>();
        List<MessageStore.Appended> out;
        try (Connection listening = DriverManager.getConnection(target.jdbcUrl(), "postgres", null);
             Statement listen = listening.createStatement()) {
            listen.execute("LISTEN test_announcements");
            out = db.withHandle("messages.send", h -> store.append(h, batch,
                    new MessageAnnouncement("test_announcements", "node-a")));
            PGConnection pg = listening.unwrap(PGConnection.class);
            for (PGNotification[] n = pg.getNotifications(5_000); n != null && n.length > 0;
                 n = pg.getNotifications(500)) {
                Arrays.stream(n).map(PGNotification::getParameter).forEach(payloads::add);
            }
        }

        // 61 new messages: 60 events of about 500 bytes, the message of 7,900 bytes as a reference; the retry unannounced.
        assertThat(payloads).hasSizeBetween(4, 6);
        assertThat(payloads).allSatisfy(p -> assertThat(p.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(7_900));
        List<JsonNode> events = new ArrayList<>();
        for (String payload : payloads) {
            JsonNode batchNode = Json.mapper().readTree(payload);
            assertThat(batchNode.path("o").asText()).isEqualTo("node-a");
            assertThat(batchNode.path("k").asText()).isEqualTo("b");
            batchNode.path("e").forEach(events::add);
        }
        assertThat(events).extracting(e -> e.path("k").asText().equals("M") ? e.path("s").asLong()
                        : e.path("m").path("seq").asLong())
                .containsExactlyElementsOf(out.subList(0, 61).stream().map(a -> a.message().seq()).toList());
        assertThat(out.get(61).created()).isFalse();
        assertThat(events.get(30).path("k").asText()).isEqualTo("M");
        assertThat(events.get(30).path("c").asLong()).isEqualTo(conversation);
        assertThat(events.get(29).path("m").path("body").asText()).isEqualTo(batch.get(29).body());
        assertThat(events.get(29).path("m").path("clientMsgId").asText())
                .isEqualTo(batch.get(29).clientMsgId().toString());
    }

    private List<MessageStore.Appended> append(List<PendingSend> batch) {
        return db.withHandle("messages.send", h -> store.append(h, batch, null));
    }

    private static PendingSend send(long sender, long conversation, UUID clientMsgId, String body) {
        return new PendingSend(sender, conversation, clientMsgId, body, null);
    }

    private static long newUser() {
        String name = "user" + NEXT_NAME.incrementAndGet();
        return db.withHandle("test.user", h -> h.createQuery("INSERT INTO users (username, display_name, "
                        + "password_hash) VALUES (:name, :name, 'not a hash') RETURNING id")
                .bind("name", name).mapTo(Long.class).one());
    }

    private static long newConversation(Long... members) {
        return db.withHandle("test.conversation", h -> {
            long id = h.createQuery("INSERT INTO conversations (type, title) VALUES ('group', 'test') RETURNING id")
                    .mapTo(Long.class).one();
            for (long member : members) {
                h.execute("INSERT INTO memberships (conversation_id, user_id) VALUES (?, ?)", id, member);
            }
            return id;
        });
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
