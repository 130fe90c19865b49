package dev.courier.events;

/** Where services hand committed events: to the fan-out between nodes, and from there to open streams. */
@FunctionalInterface
public interface EventSink {

    void publish(DomainEvent event);

    /** For a server that has no real-time delivery wired in. */
    static EventSink discarding() {
        return event -> { };
    }
}
