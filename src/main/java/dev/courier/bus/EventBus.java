package dev.courier.bus;

import dev.courier.events.EventSink;

/**
 * Fan-out between the nodes of one deployment: an event published on any node reaches the listener of every node,
 * the publishing one included. Delivery is at most once; after a loss the bus says so through
 * {@link BusListener#onPossibleLoss()}, and the database is the record to catch up from.
 *
 * <p>{@link PostgresBus} and {@link NatsBus} carry events to the <em>other</em> nodes only; {@link LocalFirstBus}
 * around either one adds the publishing node's own delivery.
 */
public interface EventBus extends EventSink, AutoCloseable {

    /** Sets the one listener of this node (several as {@link OrderedListeners}) and starts delivering to it. */
    void subscribe(BusListener listener);

    /** A name for logs and the start-up line, e.g. {@code postgres} or {@code nats://127.0.0.1:4222}. */
    String describe();

    /** The connection to the other nodes as it is now, for the alert that says the bus is down. */
    BusLink link();

    @Override
    void close();
}
