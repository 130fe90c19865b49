package dev.courier.bus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.attachments.Attachment;
import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.db.Database;
import dev.courier.db.DatabaseTarget;
import dev.courier.db.PooledDatabaseFactory;
import dev.courier.events.DomainEvent;
import dev.courier.messages.Message;
import dev.courier.testing.TestDatabase;
import dev.courier.web.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bus payload of a stored message has two writers and one reader: the SQL that announces a message as it is
 * stored ({@code message_announcements} in R__append_messages.sql), BusCodec's encoder (the NATS bus), and BusCodec's
 * decoder on every node. One fixed message and the exact payload the SQL writes for it are defined here once, and
 * all three are held to them. The message is a reply that mentions two members, so that the payload holds every field
 * a send can set; without them it is the payload of a plain message, which AppendMessagesMigrationTest holds to the
 * bytes V6 wrote.
 */
class StoredMessagePayloadTest {

    private static final String ORIGIN = "node-a";
    private static final Message MESSAGE = new Message(7, 3, 12, 5,
            UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"),
            "she said \"hi\", a back\\slash, a new\nline, a\ttab, a \u0001 control, é 漢字 🙂 @ann @bo",
            Instant.parse("2026-11-26T03:30:00.123456Z"), null, null, 9L, List.of(8L, 6L), List.of(), 0);
    /** What the SQL announces for {@link #MESSAGE} from {@link #ORIGIN}, byte for byte. */
    private static final String PAYLOAD = """
            {"o":"node-a","k":"b","e":[{"k":"m","m":{"id" : 7, "conversationId" : 3, "seq" : 12, "senderId" : 5, \
            "clientMsgId" : "0f8fad5b-d9cb-469f-a165-70867728950e", \
            "body" : "she said \\"hi\\", a back\\\\slash, a new\\nline, a\\ttab, a \\u0001 control, é 漢字 🙂 @ann @bo", \
            "createdAt" : "2026-11-26T03:30:00.123456Z", "replyTo" : 9, "mentions" : [8,6]}}]}""";
    /** What the SQL announces instead when {@link #MESSAGE}'s body would not fit a payload. */
    private static final String REFERENCE_PAYLOAD = """
            {"o":"node-a","k":"b","e":[{"k":"M","c":3,"s":12}]}""";

    private static Database db;
    private final BusCodec receiver = new BusCodec(PostgresBus.MAX_PAYLOAD_BYTES);

    @BeforeAll
    static void open() {
        JdbcTarget target = TestDatabase.freshDatabase();
        db = PooledDatabaseFactory.open(new DatabaseTarget(target.jdbcUrl(), target.user(), target.password(), "test"),
                PoolConfig.defaults().withMaxSize(2), new SimpleMeterRegistry(), () -> { });
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void theStoringStatementAnnouncesTheFixedMessageAsTheFixedPayload() {
        assertThat(announced(MESSAGE)).containsExactly(PAYLOAD);
    }

    @Test
    void busCodecDecodesTheFixedPayloadToTheStoredMessage() {
        assertThat(receiver.decode(PAYLOAD.getBytes(StandardCharsets.UTF_8))).isEqualTo(new BusCodec.Decoded.Batch(
                List.of(new BusCodec.Decoded.Event(new DomainEvent.MessageStored(MESSAGE)))));
    }

    /** The two writers differ in spacing (and in a time's trailing zeros), never in a field's name, type or value. */
    @Test
    void busCodecEncodesTheFixedMessageWithTheFieldsAndValuesOfTheFixedPayload() throws Exception {
        byte[] encoded = new BusCodec(PostgresBus.MAX_PAYLOAD_BYTES).encode(new DomainEvent.MessageStored(MESSAGE));

        JsonNode fromCodec = Json.mapper().readTree(encoded);
        JsonNode fromSql = Json.mapper().readTree(PAYLOAD).path("e").path(0);
        assertThat(fromCodec.path("k")).isEqualTo(fromSql.path("k"));
        assertThat(fromCodec.path("m")).isEqualTo(fromSql.path("m"));
        assertThat(receiver.decode(encoded)).isEqualTo(new BusCodec.Decoded.Event(new DomainEvent.MessageStored(MESSAGE)));
    }

    @Test
    void aNodeTakesThePayloadsTheDatabaseWroteWithItsOriginForItsOwnAndNoOtherNodeDoes() {
        BusCodec storingNode = new BusCodec(PostgresBus.MAX_PAYLOAD_BYTES);

        byte[] payload = announced(MESSAGE, storingNode.origin()).getFirst().getBytes(StandardCharsets.UTF_8);

        assertThat(storingNode.isOwn(payload)).isTrue();
        assertThat(receiver.isOwn(payload)).isFalse();
    }

    @Test
    void aMessageTravelsWholeUpToTheBusLimitAndAsItsReferenceBeyondIt() {
        int framing = announced(withBody("")).getFirst().getBytes(StandardCharsets.UTF_8).length;
        Message largest = withBody("x".repeat(PostgresBus.MAX_PAYLOAD_BYTES - framing));
        Message tooLarge = withBody("x".repeat(PostgresBus.MAX_PAYLOAD_BYTES - framing + 1));

        List<String> whole = announced(largest);
        assertThat(whole).hasSize(1);
        assertThat(whole.getFirst().getBytes(StandardCharsets.UTF_8)).hasSize(PostgresBus.MAX_PAYLOAD_BYTES);
        assertThat(receiver.decode(whole.getFirst().getBytes(StandardCharsets.UTF_8))).isEqualTo(
                new BusCodec.Decoded.Batch(List.of(new BusCodec.Decoded.Event(new DomainEvent.MessageStored(largest)))));
        assertThat(announced(tooLarge)).containsExactly(REFERENCE_PAYLOAD);
        assertThat(receiver.decode(REFERENCE_PAYLOAD.getBytes(StandardCharsets.UTF_8))).isEqualTo(
                new BusCodec.Decoded.Batch(List.of(new BusCodec.Decoded.MessageReference(3, 12))));
    }

    @Test
    void aMessageWithAttachmentsTravelsWithThemAndDecodesWhole() {
        Attachment picture = new Attachment("q8X1v3-_aZ0bC9dE7fG2hA", "cat \"1\".png", "image/png", 123_456,
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                Instant.parse("2026-11-26T03:29:59.5Z"));
        Message withFiles = new Message(MESSAGE.id(), MESSAGE.conversationId(), MESSAGE.seq(), MESSAGE.senderId(),
                MESSAGE.clientMsgId(), "", MESSAGE.createdAt(), null, null, null, List.of(), List.of(), 0,
                List.of(picture));

        List<String> payloads = announced(withFiles);

        assertThat(payloads).hasSize(1);
        assertThat(payloads.getFirst()).contains("\"attachments\" : [{");
        assertThat(receiver.decode(payloads.getFirst().getBytes(StandardCharsets.UTF_8))).isEqualTo(
                new BusCodec.Decoded.Batch(List.of(new BusCodec.Decoded.Event(
                        new DomainEvent.MessageStored(withFiles)))));
        byte[] encoded = new BusCodec(PostgresBus.MAX_PAYLOAD_BYTES).encode(new DomainEvent.MessageStored(withFiles));
        assertThat(receiver.decode(encoded)).isEqualTo(
                new BusCodec.Decoded.Event(new DomainEvent.MessageStored(withFiles)));
    }

    private static Message withBody(String body) {
        return new Message(MESSAGE.id(), MESSAGE.conversationId(), MESSAGE.seq(), MESSAGE.senderId(),
                MESSAGE.clientMsgId(), body, MESSAGE.createdAt(), null, null, MESSAGE.replyTo(), MESSAGE.mentions(),
                List.of(), 0);
    }

    /** The payloads announcing {@code message} alone, from {@link #ORIGIN}. */
    private static List<String> announced(Message message) {
        return announced(message, ORIGIN);
    }

    /** The row is built by column name: a column added to messages later leaves this test as it is. */
    private static List<String> announced(Message message, String origin) {
        return db.withHandle("test.announce", h -> h.createQuery("SELECT message_announcements(:origin, "
                        + "ARRAY[jsonb_populate_record(NULL::messages, jsonb_build_object('id', :id, "
                        + "'conversation_id', :conversationId, 'seq', :seq, 'sender_id', :senderId, "
                        + "'client_msg_id', :clientMsgId, 'body', :body, 'created_at', :createdAt, "
                        + "'reply_to', :replyTo, 'mentions', :mentions::bigint[], 'reactions', '[]'::jsonb, "
                        + "'change_seq', 0, 'attachments', :attachments::jsonb))])")
                .bind("origin", origin)
                .bind("attachments", Attachment.stored(message.attachments()))
                .bind("replyTo", message.replyTo())
                .bind("mentions", message.mentions().toArray(Long[]::new))
                .bind("id", message.id())
                .bind("conversationId", message.conversationId())
                .bind("seq", message.seq())
                .bind("senderId", message.senderId())
                .bind("clientMsgId", message.clientMsgId().toString())
                .bind("body", message.body())
                .bind("createdAt", message.createdAt().toString())
                .map((rs, ctx) -> List.of((String[]) rs.getArray(1).getArray()))
                .one());
    }
}
