package dev.courier.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.events.DomainEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalFirstBusTest {

    /** Records what the wrapped bus is asked to carry to the other nodes. */
    private static final class OtherNodes implements EventBus {
        final List<DomainEvent> carried = new ArrayList<>();
        BusListener subscribed;
        boolean confirms;

        @Override
        public void publish(DomainEvent event) {
            carried.add(event);
        }

        @Override
        public boolean publishAndAwaitCarried(DomainEvent event, Duration atMost) {
            carried.add(event);
            return confirms;
        }

        @Override
        public void subscribe(BusListener listener) {
            subscribed = listener;
        }

        @Override
        public String describe() {
            return "recording";
        }

        @Override
        public BusLink link() {
            return BusLink.up(describe(), false);
        }

        @Override
        public void close() {
        }
    }

    private static class Recorder implements BusListener {
        final List<DomainEvent> heard = new ArrayList<>();

        @Override
        public void onEvent(DomainEvent event) {
            heard.add(event);
        }

        @Override
        public void onMessageCommitted(long conversationId, long seq) {
        }

        @Override
        public void onMessageChangeCommitted(long conversationId, long changeSeq) {
        }

        @Override
        public void onPossibleLoss() {
        }
    }

    private final OtherNodes otherNodes = new OtherNodes();
    private final LocalFirstBus bus = new LocalFirstBus(otherNodes);
    private final DomainEvent read = new DomainEvent.ReadMarkerMoved(3, 5, 12);

    @Test
    void anEventReachesThisNodesListenerAtOnceAndTheOtherNodesThroughTheBus() {
        Recorder local = new Recorder();
        bus.subscribe(local);

        bus.publish(read);

        assertThat(local.heard).containsExactly(read);
        assertThat(otherNodes.carried).containsExactly(read);
        assertThat(otherNodes.subscribed).isSameAs(local);
    }

    @Test
    void aFailingLocalListenerDoesNotKeepTheEventFromTheOtherNodes() {
        bus.subscribe(new Recorder() {
            @Override
            public void onEvent(DomainEvent event) {
                throw new IllegalStateException("stream gone");
            }
        });

        bus.publish(read);

        assertThat(otherNodes.carried).containsExactly(read);
    }

    @Test
    void awaitingTheOtherNodesDeliversToThisNodeFirstAndAnswersWhatTheBusConfirmed() {
        Recorder local = new Recorder();
        bus.subscribe(local);
        DomainEvent revoked = new DomainEvent.SessionRevoked(5, new byte[32]);

        otherNodes.confirms = false;
        assertThat(bus.publishAndAwaitCarried(revoked, Duration.ofSeconds(1))).isFalse();
        otherNodes.confirms = true;
        assertThat(bus.publishAndAwaitCarried(revoked, Duration.ofSeconds(1))).isTrue();

        assertThat(local.heard).containsExactly(revoked, revoked);
        assertThat(otherNodes.carried).containsExactly(revoked, revoked);
    }

    @Test
    void beforeAnyListenerIsSubscribedEventsStillGoToTheOtherNodes() {
        bus.publish(read);

        assertThat(otherNodes.carried).containsExactly(read);
    }
}
