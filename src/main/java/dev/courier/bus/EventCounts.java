package dev.courier.bus;

import dev.courier.events.DomainEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * One of a bus's event counters, by the {@code kind} of event, so that each kind of traffic shows what it costs the
 * bus: messages and their changes beside the chattier typing and presence changes.
 */
final class EventCounts {

    /** The label values; one per kind of {@link DomainEvent}. */
    enum Kind {
        MESSAGE, CHANGE, READ, CONVERSATION, SESSION, TYPING, PRESENCE, PROBE;

        static Kind of(DomainEvent event) {
            return switch (event) {
                case DomainEvent.MessageStored stored -> MESSAGE;
                case DomainEvent.MessageChanged changed -> CHANGE;
                case DomainEvent.ReadMarkerMoved read -> READ;
                case DomainEvent.ConversationChanged changed -> CONVERSATION;
                case DomainEvent.SessionRevoked revoked -> SESSION;
                case DomainEvent.UserSessionsRevoked revoked -> SESSION;
                case DomainEvent.Typing typing -> TYPING;
                case DomainEvent.PresenceChanged presence -> PRESENCE;
                case DomainEvent.BusProbe probe -> PROBE;
            };
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Map<Kind, Counter> byKind = new EnumMap<>(Kind.class);

    EventCounts(MeterRegistry meters, String name, String description, String bus) {
        for (Kind kind : Kind.values()) {
            byKind.put(kind, Counter.builder(name).description(description).tag("bus", bus).tag("kind", kind.label())
                    .register(meters));
        }
    }

    void count(DomainEvent event) {
        count(Kind.of(event), 1);
    }

    void count(Kind kind, int events) {
        byKind.get(kind).increment(events);
    }

    /** Counts every event a payload carried. */
    void count(BusCodec.Decoded decoded) {
        switch (decoded) {
            case BusCodec.Decoded.Event e -> count(e.event());
            case BusCodec.Decoded.MessageReference r -> count(Kind.MESSAGE, 1);
            case BusCodec.Decoded.ChangeReference r -> count(Kind.CHANGE, 1);
            case BusCodec.Decoded.StoredPayload p -> count(Kind.CHANGE, 1);
            case BusCodec.Decoded.Batch b -> b.events().forEach(this::count);
        }
    }
}
