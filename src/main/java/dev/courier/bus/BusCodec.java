package dev.courier.bus;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.courier.events.DomainEvent;
import dev.courier.messages.Message;
import dev.courier.web.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The bus's wire format: one compact JSON object per event. A stored message travels with its body when the
 * encoded event fits {@code maxBytes}; otherwise only its conversation and seq travel and receivers read the row.
 */
final class BusCodec {

    /** The one wire shape; unused fields are left out. {@code k} is the kind of event. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Wire(String k, Message m, Long c, Long s, Long u, List<Long> us, String h) {
    }

    /** What a payload decodes to: an event, or the reference to a message too large to carry. */
    sealed interface Decoded {
        record Event(DomainEvent event) implements Decoded {
        }

        record MessageReference(long conversationId, long seq) implements Decoded {
        }
    }

    private final int maxBytes;

    BusCodec(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    byte[] encode(DomainEvent event) {
        byte[] full = write(switch (event) {
            case DomainEvent.MessageStored stored -> new Wire("m", stored.message(), null, null, null, null, null);
            case DomainEvent.ReadMarkerMoved read -> new Wire("r", null, read.conversationId(), read.seq(),
                    read.userId(), null, null);
            case DomainEvent.ConversationChanged changed -> new Wire("c", null, changed.conversationId(), null, null,
                    changed.affectedUserIds(), null);
            case DomainEvent.SessionRevoked revoked -> new Wire("x", null, null, null, revoked.userId(), null,
                    Base64.getEncoder().encodeToString(revoked.tokenHash()));
        });
        if (full.length <= maxBytes) {
            return full;
        }
        if (event instanceof DomainEvent.MessageStored stored) {
            return write(new Wire("M", null, stored.message().conversationId(), stored.message().seq(), null, null,
                    null));
        }
        // A membership change of a very large group: the ids are re-read by every receiver anyway.
        if (event instanceof DomainEvent.ConversationChanged changed) {
            return write(new Wire("c", null, changed.conversationId(), null, null, List.of(), null));
        }
        throw new IllegalArgumentException("event larger than " + maxBytes + " bytes: " + event.getClass().getSimpleName());
    }

    Decoded decode(byte[] payload) {
        Wire wire;
        try {
            wire = Json.mapper().readValue(payload, Wire.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("undecodable bus payload", e);
        }
        return switch (wire.k()) {
            case "m" -> new Decoded.Event(new DomainEvent.MessageStored(wire.m()));
            case "M" -> new Decoded.MessageReference(wire.c(), wire.s());
            case "r" -> new Decoded.Event(new DomainEvent.ReadMarkerMoved(wire.c(), wire.u(), wire.s()));
            case "c" -> new Decoded.Event(new DomainEvent.ConversationChanged(wire.c(), wire.us()));
            case "x" -> new Decoded.Event(new DomainEvent.SessionRevoked(wire.u(), Base64.getDecoder().decode(wire.h())));
            default -> throw new IllegalArgumentException("unknown bus event kind " + wire.k());
        };
    }

    static void deliver(Decoded decoded, BusListener listener) {
        switch (decoded) {
            case Decoded.Event e -> listener.onEvent(e.event());
            case Decoded.MessageReference r -> listener.onMessageCommitted(r.conversationId(), r.seq());
        }
    }

    private static byte[] write(Wire wire) {
        try {
            return Json.mapper().writeValueAsString(wire).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not encode a bus event", e);
        }
    }
}
