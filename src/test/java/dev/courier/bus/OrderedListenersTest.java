package dev.courier.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.events.DomainEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderedListenersTest {

    /** Writes what it hears, under its name, into one log shared by all listeners of a test. */
    private record Named(String name, List<String> log) implements BusListener {

        @Override
        public void onEvent(DomainEvent event) {
            log.add(name + " event " + event.getClass().getSimpleName());
        }

        @Override
        public void onMessageCommitted(long conversationId, long seq) {
            log.add(name + " committed " + conversationId + "/" + seq);
        }

        @Override
        public void onMessageChangeCommitted(long conversationId, long changeSeq) {
            log.add(name + " changed " + conversationId + "/" + changeSeq);
        }

        @Override
        public void onPossibleLoss() {
            log.add(name + " loss");
        }

        @Override
        public void together(Runnable handOver) {
            log.add(name + " gathers");
            handOver.run();
            log.add(name + " writes");
        }
    }

    private final List<String> log = new ArrayList<>();
    private final OrderedListeners listeners = new OrderedListeners(List.of(new Named("cache", log),
            new Named("hub", log)));

    @Test
    void everyListenerHearsEverythingInTheOrderGiven() {
        listeners.onEvent(new DomainEvent.SessionRevoked(1, new byte[32]));
        listeners.onMessageCommitted(7, 3);
        listeners.onMessageChangeCommitted(7, 2);
        listeners.onPossibleLoss();

        assertThat(log).containsExactly("cache event SessionRevoked", "hub event SessionRevoked",
                "cache committed 7/3", "hub committed 7/3", "cache changed 7/2", "hub changed 7/2", "cache loss",
                "hub loss");
    }

    @Test
    void aBatchIsHandedOverOnceInsideEveryListenersGathering() {
        listeners.together(() -> {
            listeners.onMessageCommitted(7, 3);
            listeners.onMessageCommitted(7, 4);
        });

        assertThat(log).containsExactly("cache gathers", "hub gathers",
                "cache committed 7/3", "hub committed 7/3", "cache committed 7/4", "hub committed 7/4",
                "hub writes", "cache writes");
    }
}
