package dev.courier.loadtest.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.CharBuffer;

/** A server-to-client frame of {@code /v1/stream}, decoded once at the edge. */
public sealed interface StreamFrame {

    /**
     * Jackson's defaults, without the duplicate-name check of the server's mapper: that check is for input
     * from clients, and it costs a hash set per object of every frame the load tester reads.
     */
    JsonFactory FRAMES = new JsonFactory();

    record Ready(long userId) implements StreamFrame {
    }

    record Message(DeliveredMessage message) implements StreamFrame {
    }

    /** {@code message_changed}: the message as a change left it, {@code changeSeq} included. */
    record Changed(DeliveredMessage message) implements StreamFrame {
    }

    record Ack(String clientMsgId, DeliveredMessage message) implements StreamFrame {
    }

    /**
     * @param retryAfterSeconds the error's {@code retryAfter} (what {@code Retry-After} says over HTTP), 0 when it has
     *                          none
     */
    record Error(String clientMsgId, String code, int retryAfterSeconds) implements StreamFrame {
    }

    /** Another member is typing: the load tester counts what its typists' frames reached. */
    record Typing(long userId) implements StreamFrame {
    }

    /** A user who shares a conversation came online or went offline. */
    record Presence(long userId, boolean online) implements StreamFrame {
    }

    /** {@code read}, {@code conversation}, {@code pong} and anything newer: nothing the load tester acts on. */
    record Other(String type) implements StreamFrame {
    }

    /** The fields of a message object that the load tester checks; {@code changeSeq} is 0 for a new message. */
    record DeliveredMessage(long id, long conversationId, long seq, long senderId, String clientMsgId, long changeSeq) {

        public static DeliveredMessage of(JsonNode m) {
            return new DeliveredMessage(m.path("id").asLong(), m.path("conversationId").asLong(), m.path("seq").asLong(),
                    m.path("senderId").asLong(), m.path("clientMsgId").asText(), m.path("changeSeq").asLong());
        }

        /** Reads the message object the parser stands on, skipping the fields not checked (body, createdAt). */
        private static DeliveredMessage read(JsonParser p) throws IOException {
            long id = 0;
            long conversationId = 0;
            long seq = 0;
            long senderId = 0;
            String clientMsgId = "";
            long changeSeq = 0;
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return new DeliveredMessage(id, conversationId, seq, senderId, clientMsgId, changeSeq);
            }
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                p.nextToken();
                switch (field) {
                    case "id" -> id = p.getValueAsLong();
                    case "conversationId" -> conversationId = p.getValueAsLong();
                    case "seq" -> seq = p.getValueAsLong();
                    case "senderId" -> senderId = p.getValueAsLong();
                    case "clientMsgId" -> clientMsgId = p.getValueAsString("");
                    case "changeSeq" -> changeSeq = p.getValueAsLong();
                    default -> p.skipChildren();
                }
            }
            return new DeliveredMessage(id, conversationId, seq, senderId, clientMsgId, changeSeq);
        }
    }

    /**
     * Decodes one frame's text. Streams through it and keeps only the fields above instead of building a tree:
     * at thousands of frames a second this is most of what the load tester would otherwise spend per message,
     * on the same cores as the server it measures. Field order does not matter.
     *
     * <p>A heap {@link CharBuffer} (what the JDK's WebSocket hands a listener) is parsed where it lies: making a
     * {@code String} of it first would copy every frame once more before Jackson copies it into its own buffer.
     */
    static StreamFrame decode(CharSequence text) throws IOException {
        try (JsonParser p = parserOf(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a frame is a JSON object");
            }
            String type = "";
            long userId = 0;
            boolean online = false;
            String clientMsgId = null;
            DeliveredMessage message = null;
            ErrorDetail error = ErrorDetail.NONE;
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                p.nextToken();
                switch (field) {
                    case "type" -> type = p.getValueAsString("");
                    case "userId" -> userId = p.getValueAsLong();
                    case "online" -> online = p.getValueAsBoolean();
                    case "clientMsgId" -> clientMsgId = p.getValueAsString();
                    case "message" -> message = DeliveredMessage.read(p);
                    case "error" -> error = ErrorDetail.read(p);
                    default -> p.skipChildren();
                }
            }
            DeliveredMessage m = message != null ? message : new DeliveredMessage(0, 0, 0, 0, "", 0);
            return switch (type) {
                case "ready" -> new Ready(userId);
                case "message" -> new Message(m);
                case "message_changed" -> new Changed(m);
                case "ack" -> new Ack(clientMsgId == null ? "" : clientMsgId, m);
                case "error" -> new Error(clientMsgId, error.code(), error.retryAfterSeconds());
                case "typing" -> new Typing(userId);
                case "presence" -> new Presence(userId, online);
                default -> new Other(type);
            };
        }
    }

    private static JsonParser parserOf(CharSequence text) throws IOException {
        if (text instanceof CharBuffer chars && chars.hasArray()) {
            return FRAMES.createParser(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
        }
        return FRAMES.createParser(text.toString());
    }

    /** The fields of an error object that the load tester counts. */
    record ErrorDetail(String code, int retryAfterSeconds) {

        static final ErrorDetail NONE = new ErrorDetail("unknown", 0);

        private static ErrorDetail read(JsonParser p) throws IOException {
            String code = NONE.code();
            int retryAfter = 0;
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return NONE;
            }
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                p.nextToken();
                switch (field) {
                    case "code" -> code = p.getValueAsString(code);
                    case "retryAfter" -> retryAfter = p.getValueAsInt(0);
                    default -> p.skipChildren();
                }
            }
            return new ErrorDetail(code, retryAfter);
        }
    }
}
