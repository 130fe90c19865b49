package dev.courier.bus;

import dev.courier.events.DomainEvent;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every event to this node's own listener first, on the publishing thread, and then to the bus for the other
 * nodes; the bus drops the copies of this node's events that come back to it. A message therefore reaches the
 * streams of the node that stored it straight after its commit, without a round trip through PostgreSQL or NATS,
 * and the node does not spend CPU decoding its own events. Streams on other nodes still get everything through the
 * bus, and local delivery keeps working while the bus is down.
 */
public final class LocalFirstBus implements EventBus {

    private static final Logger log = LoggerFactory.getLogger(LocalFirstBus.class);

    private final EventBus toOtherNodes;
    private volatile BusListener local;

    /** {@code toOtherNodes} must not deliver this node's own events to its listener. */
    public LocalFirstBus(EventBus toOtherNodes) {
        this.toOtherNodes = toOtherNodes;
    }

    @Override
    public void publish(DomainEvent event) {
        deliverLocally(event);
        toOtherNodes.publish(event);
    }

    /** This node's listener has the event when the wait begins; only the other nodes' delivery is awaited. */
    @Override
    public boolean publishAndAwaitCarried(DomainEvent event, Duration atMost) {
        deliverLocally(event);
        return toOtherNodes.publishAndAwaitCarried(event, atMost);
    }

    private void deliverLocally(DomainEvent event) {
        BusListener listener = local;
        if (listener != null) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                // The event is committed; the listener's own catch-up from the tables repairs the delivery.
                log.warn("local delivery of {} failed: {}", event.getClass().getSimpleName(), e.toString());
            }
        }
    }

    @Override
    public void subscribe(BusListener listener) {
        local = listener;
        toOtherNodes.subscribe(listener);
    }

    @Override
    public String describe() {
        return toOtherNodes.describe();
    }

    @Override
    public BusLink link() {
        return toOtherNodes.link();
    }

    @Override
    public void close() {
        toOtherNodes.close();
    }
}
