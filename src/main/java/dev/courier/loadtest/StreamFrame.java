package dev.courier.loadtest;

import com.fasterxml.jackson.databind.JsonNode;

/** A server-to-client frame of {@code /v1/stream}, decoded once at the edge. */
sealed interface StreamFrame {

    record Ready(long userId) implements StreamFrame {
    }

    record Message(DeliveredMessage message) implements StreamFrame {
    }

    record Ack(String clientMsgId, DeliveredMessage message) implements StreamFrame {
    }

    record Error(String clientMsgId, String code) implements StreamFrame {
    }

    /** {@code read}, {@code conversation}, {@code pong} and anything newer: nothing the load tester acts on. */
    record Other(String type) implements StreamFrame {
    }

    /** The fields of a message object that the load tester checks. */
    record DeliveredMessage(long id, long conversationId, long seq, long senderId, String clientMsgId) {

        static DeliveredMessage of(JsonNode m) {
            return new DeliveredMessage(m.path("id").asLong(), m.path("conversationId").asLong(), m.path("seq").asLong(),
                    m.path("senderId").asLong(), m.path("clientMsgId").asText());
        }
    }

    static StreamFrame decode(JsonNode frame) {
        String type = frame.path("type").asText();
        return switch (type) {
            case "ready" -> new Ready(frame.path("userId").asLong());
            case "message" -> new Message(DeliveredMessage.of(frame.path("message")));
            case "ack" -> new Ack(frame.path("clientMsgId").asText(), DeliveredMessage.of(frame.path("message")));
            case "error" -> new Error(frame.path("clientMsgId").asText(null),
                    frame.path("error").path("code").asText("unknown"));
            default -> new Other(type);
        };
    }
}
