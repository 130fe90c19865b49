package dev.courier.bus;

import dev.courier.events.DomainEvent;
import java.util.List;

/**
 * The listeners of one node as the one listener a bus takes: each hears everything, in the order given, so an earlier
 * one has acted on an event before a later one hears it (the session cache forgets a revoked token before the stream
 * hub closes its streams). A listener that throws keeps the event from the ones after it, as it would from a bus.
 */
public final class OrderedListeners implements BusListener {

    private final List<BusListener> listeners;

    public OrderedListeners(List<BusListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void onEvent(DomainEvent event) {
        for (BusListener listener : listeners) {
            listener.onEvent(event);
        }
    }

    @Override
    public void onMessageCommitted(long conversationId, long seq) {
        for (BusListener listener : listeners) {
            listener.onMessageCommitted(conversationId, seq);
        }
    }

    @Override
    public void onMessageChangeCommitted(long conversationId, long changeSeq) {
        for (BusListener listener : listeners) {
            listener.onMessageChangeCommitted(conversationId, changeSeq);
        }
    }

    @Override
    public void onPossibleLoss() {
        for (BusListener listener : listeners) {
            listener.onPossibleLoss();
        }
    }

    /** The hand-over runs once, inside every listener's {@code together}: each gathers the batch's effects its way. */
    @Override
    public void together(Runnable handOver) {
        Runnable nested = handOver;
        for (BusListener listener : listeners.reversed()) {
            Runnable inner = nested;
            nested = () -> listener.together(inner);
        }
        nested.run();
    }
}
