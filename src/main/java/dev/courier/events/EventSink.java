package dev.courier.events;

import java.time.Duration;

/** Where services hand committed events: to the fan-out between nodes, and from there to open streams. */
@FunctionalInterface
public interface EventSink {

    void publish(DomainEvent event);

    /**
     * Publishes {@code event} and waits, at most {@code atMost}, until the fan-out has handed it to the other nodes as
     * far as it can tell. False when it could not confirm that in time (the bus is down or slow): the event may still
     * arrive. A sink with no other nodes to reach confirms at once.
     */
    default boolean publishAndAwaitCarried(DomainEvent event, Duration atMost) {
        publish(event);
        return true;
    }

    /** For a server that has no real-time delivery wired in. */
    static EventSink discarding() {
        return event -> { };
    }
}
