package dev.courier.stream;

import dev.courier.ratelimit.Limit;
import dev.courier.web.ApiException;
import dev.courier.web.JsonBody;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A frame a client sends on the stream, decoded once at the edge with the same rules as a REST body. */
sealed interface ClientFrame {

    /**
     * The rate-limit bucket the frame spends for its user, charged before it is handled: the bucket of the REST
     * route that does the same work, so that both transports draw from one.
     */
    Optional<Limit> spends();

    /** {@code replyTo}: the seq of the message it answers, or null; {@code attachments}: ids, empty for none. */
    record Send(long conversationId, UUID clientMsgId, String body, Long replyTo, List<String> attachments)
            implements ClientFrame {
        @Override
        public Optional<Limit> spends() {
            return Optional.of(Limit.MESSAGES);
        }
    }

    record Read(long conversationId, long seq) implements ClientFrame {
        @Override
        public Optional<Limit> spends() {
            return Optional.of(Limit.WRITES);
        }
    }

    /**
     * The user is typing in a conversation. It spends no bucket: a connection relays at most one per conversation
     * every {@link StreamConnection#TYPING_EVERY_NANOS}, and drops the rest without an answer, as the contract says.
     */
    record Typing(long conversationId) implements ClientFrame {
        @Override
        public Optional<Limit> spends() {
            return Optional.empty();
        }
    }

    record Ping() implements ClientFrame {
        @Override
        public Optional<Limit> spends() {
            return Optional.empty();
        }
    }

    /** Decodes one text frame; throws {@link ApiException} with the contract's code when it is not valid. */
    static ClientFrame decode(String text) {
        JsonBody body = JsonBody.parse(text);
        String type = body.requiredString("type");
        return switch (type) {
            case "send" -> new Send(body.requiredLong("conversationId"), body.requiredUuid("clientMsgId"),
                    body.requiredString("body"), body.optionalLong("replyTo").orElse(null),
                    body.optionalStringList("attachments").orElse(List.of()));
            case "read" -> new Read(body.requiredLong("conversationId"), body.requiredLong("seq"));
            case "typing" -> new Typing(body.requiredLong("conversationId"));
            case "ping" -> new Ping();
            default -> throw ApiException.invalid("type", "type must be send, read, typing or ping");
        };
    }

    /** The clientMsgId of a frame that failed to decode, when it is readable, so the error can name it. */
    static Optional<String> clientMsgIdOf(String text) {
        try {
            return JsonBody.parse(text).optionalString("clientMsgId");
        } catch (ApiException e) {
            return Optional.empty();
        }
    }
}
