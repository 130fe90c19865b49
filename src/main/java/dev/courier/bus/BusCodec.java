package dev.courier.bus;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.courier.events.DomainEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.attachments.Attachment;
import dev.courier.messages.Message;
import dev.courier.messages.Reaction;
import dev.courier.web.Json;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The bus's wire format, defined here for both buses: one JSON object per payload, the shapes listed at {@link Wire}.
 * A stored message travels with its body when the payload fits {@code maxBytes}; otherwise only its conversation and
 * seq travel and receivers read the row.
 *
 * <p>This codec decodes every payload and encodes all but one kind. On LISTEN/NOTIFY, stored messages are announced
 * by the statement that stores them, and the database writes their payloads: {@code message_announcements} in
 * {@code R__append_messages.sql} writes the batch shape below, with the spacing of PostgreSQL's JSON and times to the
 * microsecond, which decode here exactly as this codec's own encoding does. StoredMessagePayloadTest holds the SQL,
 * the encoder and the decoder to one fixed payload: a change to a message's shape is made in the codec, the SQL and
 * that test together.
 *
 * <p>A message travels in the shape of the API, leaving out what is null or empty ({@link MessageOnTheBus}): a new
 * message's payload is then the one nodes before edits and replies wrote and read, and the list fields a payload
 * leaves out decode as empty lists.
 *
 * <p>Every payload starts with its publisher's origin ({@code o}), random per codec, so that a bus that hears its own
 * node's events (LISTEN/NOTIFY does) can drop them by comparing a prefix, before any parsing: the publishing node has
 * delivered them locally already ({@link LocalFirstBus}). Unknown fields are ignored, so a newer node's payloads
 * still decode on an older one; nodes of two versions share the bus during a rolling restart.
 */
final class BusCodec {

    /**
     * The one wire shape; unused fields are left out. {@code o} is the origin, {@code k} the kind of event:
     * <ul>
     *   <li>{@code m}: a stored message, {@code m} as the API shows it
     *       ({@code id, conversationId, seq, senderId, clientMsgId, body, createdAt});
     *   <li>{@code M}: a stored message too large to travel, by conversation {@code c} and seq {@code s};
     *   <li>{@code u}: a message changed (edited, deleted, its reactions), {@code m} as it is after the change;
     *   <li>{@code U}: a changed message too large to travel, by conversation {@code c} and its changeSeq {@code s};
     *   <li>{@code P}: a changed message too large for a notification, whose whole payload the LISTEN/NOTIFY bus
     *       stored as row {@code i} of its table ({@link PostgresBus}); {@code c} and {@code s} as for {@code U}, for a
     *       receiver that does not find the row;
     *   <li>{@code r}: a read marker, conversation {@code c}, user {@code u}, seq {@code s};
     *   <li>{@code c}: a membership change of conversation {@code c}, affected users {@code us};
     *   <li>{@code x}: a revoked session of user {@code u}, token hash {@code h} in Base64;
     *   <li>{@code X}: every session of user {@code u} revoked but the one of token hash {@code h} (Base64; absent:
     *       every one);
 *   <li>{@code t}: user {@code u} is typing in conversation {@code c};
 *   <li>{@code p}: the presence of users {@code us} changed;
     *   <li>{@code q}: bus probe {@code h} (a UUID) of an audit;
     *   <li>{@code b}: a batch, its events in {@code e}, in order, each without an origin of its own. Only the
     *       database writes batches, of {@code m} and {@code M} events:
     *       {@code {"o":<origin>,"k":"b","e":[{"k":"m","m":{...}}, {"k":"M","c":3,"s":12}, ...]}}.
     * </ul>
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"o", "k"})
    record Wire(String o, String k, Message m, Long c, Long s, Long u, List<Long> us, String h, List<Wire> e, Long i) {
    }

    /** What a payload decodes to: an event, the reference to a message too large to carry, or a batch of them. */
    sealed interface Decoded {

        record Event(DomainEvent event) implements Decoded {
        }

        record MessageReference(long conversationId, long seq) implements Decoded {
        }

        record ChangeReference(long conversationId, long changeSeq) implements Decoded {
        }

        /** A change's whole payload, stored apart: read where the bus can, otherwise as good as its reference. */
        record StoredPayload(long id, long conversationId, long changeSeq) implements Decoded {
        }

        /** Several events from one publisher, in the order it published them. */
        record Batch(List<Decoded> events) implements Decoded {
        }
    }

    /**
     * A message on the bus: null fields, empty lists and a changeSeq of 0 are left out (a deleted message's empty body
     * is not: it is a value), and fields a newer node added are ignored.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    private abstract static class MessageOnTheBus {
        @JsonInclude(JsonInclude.Include.NON_EMPTY)
        abstract List<Long> mentions();

        @JsonInclude(JsonInclude.Include.NON_EMPTY)
        abstract List<Reaction> reactions();

        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        abstract long changeSeq();

        @JsonInclude(JsonInclude.Include.NON_EMPTY)
        abstract List<Attachment> attachments();
    }

    private static final ObjectMapper WIRE = Json.mapper().copy().addMixIn(Message.class, MessageOnTheBus.class);

    private final int maxBytes;
    private final String origin = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    /** How every payload of this codec begins: {@code {"o":"<origin>",}. */
    private final byte[] ownPrefix = ("{\"o\":\"" + origin + "\",").getBytes(StandardCharsets.UTF_8);

    BusCodec(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * This node's id at the head of its payloads; {@code message_announcements} writes it there too, byte for byte as
     * {@link #isOwn} expects.
     */
    String origin() {
        return origin;
    }

    /** True when this codec encoded {@code payload}: the event was published by this node. */
    boolean isOwn(byte[] payload) {
        return payload.length >= ownPrefix.length
                && Arrays.equals(payload, 0, ownPrefix.length, ownPrefix, 0, ownPrefix.length);
    }

    /** The event whole when it fits {@code maxBytes}, otherwise what stands for it. */
    byte[] encode(DomainEvent event) {
        byte[] full = encodeWhole(event);
        return full.length <= maxBytes ? full : encodeReference(event);
    }

    /** The event with everything it carries, whatever its size. */
    byte[] encodeWhole(DomainEvent event) {
        return write(switch (event) {
            case DomainEvent.MessageStored stored -> new Wire(origin, "m", stored.message(), null, null, null, null,
                    null, null, null);
            case DomainEvent.MessageChanged changed -> new Wire(origin, "u", changed.message(), null, null, null, null,
                    null, null, null);
            case DomainEvent.ReadMarkerMoved read -> new Wire(origin, "r", null, read.conversationId(), read.seq(),
                    read.userId(), null, null, null, null);
            case DomainEvent.ConversationChanged changed -> new Wire(origin, "c", null, changed.conversationId(), null,
                    null, changed.affectedUserIds(), null, null, null);
            case DomainEvent.SessionRevoked revoked -> new Wire(origin, "x", null, null, null, revoked.userId(), null,
                    Base64.getEncoder().encodeToString(revoked.tokenHash()), null, null);
            case DomainEvent.UserSessionsRevoked revoked -> new Wire(origin, "X", null, null, null, revoked.userId(),
                    null, revoked.keptTokenHash() == null ? null
                    : Base64.getEncoder().encodeToString(revoked.keptTokenHash()), null, null);
            case DomainEvent.Typing typing -> new Wire(origin, "t", null, typing.conversationId(), null,
                    typing.userId(), null, null, null, null);
            case DomainEvent.PresenceChanged presence -> new Wire(origin, "p", null, null, null, null,
                    presence.userIds(), null, null, null);
            case DomainEvent.BusProbe probe -> new Wire(origin, "q", null, null, null, null, null,
                    probe.probeId().toString(), null, null);
        });
    }

    /** What stands for an event too large for a payload. */
    private byte[] encodeReference(DomainEvent event) {
        return switch (event) {
            case DomainEvent.MessageStored stored -> write(new Wire(origin, "M", null,
                    stored.message().conversationId(), stored.message().seq(), null, null, null, null, null));
            case DomainEvent.MessageChanged changed -> write(new Wire(origin, "U", null,
                    changed.message().conversationId(), changed.message().changeSeq(), null, null, null, null, null));
            // A membership change of a very large group: the ids are re-read by every receiver anyway.
            case DomainEvent.ConversationChanged changed -> write(new Wire(origin, "c", null, changed.conversationId(),
                    null, null, List.of(), null, null, null));
            default -> throw new IllegalArgumentException("event larger than " + maxBytes + " bytes: "
                    + event.getClass().getSimpleName());
        };
    }

    /**
     * The payload naming {@code changed} once its whole payload was stored apart as {@code storedId}; small enough
     * for any payload limit.
     */
    byte[] encodeStored(long storedId, DomainEvent.MessageChanged changed) {
        return write(new Wire(origin, "P", null, changed.message().conversationId(), changed.message().changeSeq(),
                null, null, null, null, storedId));
    }

    Decoded decode(byte[] payload) {
        Wire wire;
        try {
            wire = WIRE.readValue(payload, Wire.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("undecodable bus payload", e);
        }
        return decoded(wire);
    }

    /**
     * Batches come from {@code append_messages}, which announces each stored batch's messages with one
     * notification per 7,900 bytes ({@code message_announcements} in R__append_messages.sql).
     */
    private static Decoded decoded(Wire wire) {
        return switch (wire.k()) {
            case "b" -> new Decoded.Batch(wire.e() == null ? List.of()
                    : wire.e().stream().map(BusCodec::decoded).toList());
            case "m" -> new Decoded.Event(new DomainEvent.MessageStored(wire.m()));
            case "M" -> new Decoded.MessageReference(wire.c(), wire.s());
            case "u" -> new Decoded.Event(new DomainEvent.MessageChanged(wire.m()));
            case "U" -> new Decoded.ChangeReference(wire.c(), wire.s());
            case "P" -> new Decoded.StoredPayload(wire.i(), wire.c(), wire.s());
            case "r" -> new Decoded.Event(new DomainEvent.ReadMarkerMoved(wire.c(), wire.u(), wire.s()));
            case "c" -> new Decoded.Event(new DomainEvent.ConversationChanged(wire.c(), wire.us()));
            case "x" -> new Decoded.Event(new DomainEvent.SessionRevoked(wire.u(), Base64.getDecoder().decode(wire.h())));
            case "X" -> new Decoded.Event(new DomainEvent.UserSessionsRevoked(wire.u(),
                    wire.h() == null ? null : Base64.getDecoder().decode(wire.h())));
            case "t" -> new Decoded.Event(new DomainEvent.Typing(wire.c(), wire.u()));
            case "p" -> new Decoded.Event(new DomainEvent.PresenceChanged(wire.us()));
            case "q" -> new Decoded.Event(new DomainEvent.BusProbe(java.util.UUID.fromString(wire.h())));
            default -> throw new IllegalArgumentException("unknown bus event kind " + wire.k());
        };
    }

    /** Hands the decoded events to {@code listener} in order; a batch's within one {@link BusListener#together}. */
    static void deliver(Decoded decoded, BusListener listener) {
        switch (decoded) {
            case Decoded.Event e -> listener.onEvent(e.event());
            case Decoded.MessageReference r -> listener.onMessageCommitted(r.conversationId(), r.seq());
            case Decoded.ChangeReference r -> listener.onMessageChangeCommitted(r.conversationId(), r.changeSeq());
            case Decoded.StoredPayload p -> listener.onMessageChangeCommitted(p.conversationId(), p.changeSeq());
            case Decoded.Batch b -> listener.together(() -> b.events().forEach(event -> deliver(event, listener)));
        }
    }

    private static byte[] write(Wire wire) {
        try {
            return WIRE.writeValueAsBytes(wire);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not encode a bus event", e);
        }
    }
}
