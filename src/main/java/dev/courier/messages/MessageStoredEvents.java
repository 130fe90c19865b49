package dev.courier.messages;

import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * Publishes each newly stored message as a {@link DomainEvent.MessageStored} to the event sink, which carries it to
 * the streams of every node, and counts it: the count of messages stored is taken here, where each new message
 * passes exactly once.
 */
public final class MessageStoredEvents implements CommitPublisher {

    private final EventSink events;
    private final Counter storedTotal;

    public MessageStoredEvents(EventSink events, MeterRegistry meters) {
        this.events = events;
        this.storedTotal = Counter.builder(MetricNames.MESSAGES_STORED)
                .description("Messages committed to the database (retried sends not counted twice)").register(meters);
    }

    @Override
    public void publish(List<Message> stored) {
        for (Message message : stored) {
            storedTotal.increment();
            events.publish(new DomainEvent.MessageStored(message));
        }
    }
}
