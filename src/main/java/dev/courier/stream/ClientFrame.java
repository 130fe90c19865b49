package dev.courier.stream;

import dev.courier.web.ApiException;
import dev.courier.web.JsonBody;
import java.util.Optional;
import java.util.UUID;

/** A frame a client sends on the stream, decoded once at the edge with the same rules as a REST body. */
sealed interface ClientFrame {

    record Send(long conversationId, UUID clientMsgId, String body) implements ClientFrame {
    }

    record Read(long conversationId, long seq) implements ClientFrame {
    }

    record Ping() implements ClientFrame {
    }

    /** Decodes one text frame; throws {@link ApiException} with the contract's code when it is not valid. */
    static ClientFrame decode(String text) {
        JsonBody body = JsonBody.parse(text);
        String type = body.requiredString("type");
        return switch (type) {
            case "send" -> new Send(body.requiredLong("conversationId"), body.requiredUuid("clientMsgId"),
                    body.requiredString("body"));
            case "read" -> new Read(body.requiredLong("conversationId"), body.requiredLong("seq"));
            case "ping" -> new Ping();
            default -> throw ApiException.invalid("type", "type must be send, read or ping");
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
