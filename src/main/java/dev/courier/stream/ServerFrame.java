package dev.courier.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.courier.conversations.Conversation;
import dev.courier.messages.Message;
import dev.courier.web.ErrorBody;
import dev.courier.web.ErrorResponses;
import dev.courier.web.Json;
import java.time.Instant;

/** A frame the server sends on the stream; {@code type} names the record. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(ServerFrame.Ready.class), @JsonSubTypes.Type(ServerFrame.MessageFrame.class),
        @JsonSubTypes.Type(ServerFrame.MessageChangedFrame.class), @JsonSubTypes.Type(ServerFrame.Read.class), @JsonSubTypes.Type(ServerFrame.ConversationFrame.class),
        @JsonSubTypes.Type(ServerFrame.Ack.class), @JsonSubTypes.Type(ServerFrame.Error.class),
        @JsonSubTypes.Type(ServerFrame.Pong.class), @JsonSubTypes.Type(ServerFrame.Typing.class),
        @JsonSubTypes.Type(ServerFrame.Presence.class)})
sealed interface ServerFrame {

    @JsonTypeName("ready")
    record Ready(long userId) implements ServerFrame {
    }

    @JsonTypeName("message")
    record MessageFrame(Message message) implements ServerFrame {
    }

    /** A stored message was edited, deleted or its reactions changed: the message as it is after the change. */
    @JsonTypeName("message_changed")
    record MessageChangedFrame(Message message) implements ServerFrame {
    }

    @JsonTypeName("read")
    record Read(long conversationId, long userId, long seq) implements ServerFrame {
    }

    @JsonTypeName("conversation")
    record ConversationFrame(Conversation conversation) implements ServerFrame {
    }

    @JsonTypeName("ack")
    record Ack(String clientMsgId, Message message) implements ServerFrame {
    }

    /** {@code clientMsgId} is null when the failed frame was not a send (or carried none). */
    @JsonTypeName("error")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Error(String clientMsgId, ErrorDetail error) implements ServerFrame {
    }

    /**
     * The contract's error, plus {@code retryAfter}: the seconds an HTTP answer would give in {@code Retry-After}
     * (for {@code rate_limited}, {@code overloaded}, {@code unavailable}), which a socket has no header for.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ErrorDetail(String code, String message, String field, Integer retryAfter) {

        static ErrorDetail of(ErrorResponses.Answer answer) {
            ErrorBody.Detail error = answer.body().error();
            return new ErrorDetail(error.code(), error.message(), error.field(),
                    answer.retryAfterSeconds() > 0 ? answer.retryAfterSeconds() : null);
        }
    }

    @JsonTypeName("pong")
    record Pong() implements ServerFrame {
    }

    @JsonTypeName("typing")
    record Typing(long conversationId, long userId) implements ServerFrame {
    }

    /** {@code lastSeenAt}: see {@code presence.UserPresence}; null for a user never seen. */
    @JsonTypeName("presence")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Presence(long userId, boolean online, Instant lastSeenAt) implements ServerFrame {
    }

    /** Built once: {@code writerFor} resolves the type and its serializer on every call. */
    final class Writer {
        private static final ObjectWriter FRAMES = Json.mapper().writerFor(ServerFrame.class);

        private Writer() {
        }
    }

    /** The frame's JSON text. */
    static String encode(ServerFrame frame) {
        try {
            return Writer.FRAMES.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not encode a " + frame.getClass().getSimpleName() + " frame", e);
        }
    }
}
