package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.messages.Message;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChangeOrderTest {

    /** Message {@code seq} as change {@code changeSeq} left it. */
    private static Message change(long seq, long changeSeq) {
        return new Message(seq, 3, seq, 5, new UUID(0, seq), "state " + changeSeq, Instant.EPOCH, Instant.EPOCH, null,
                null, List.of(), List.of(), changeSeq);
    }

    private static List<Long> changeSeqs(List<Message> due) {
        return due.stream().map(Message::changeSeq).toList();
    }

    @Test
    void changesInOrderAreDueAtOnceAndOnceEach() {
        ChangeOrder order = new ChangeOrder(4);

        assertThat(changeSeqs(order.arrived(change(1, 5)))).containsExactly(5L);
        assertThat(changeSeqs(order.arrived(change(2, 6)))).containsExactly(6L);
        assertThat(order.arrived(change(1, 5))).isEmpty();
        assertThat(order.delivered()).isEqualTo(6);
        assertThat(order.waiting()).isFalse();
    }

    @Test
    void aChangeThatArrivesEarlyIsHeldUntilTheOnesBeforeItArriveThenAllAreDueInOrder() {
        ChangeOrder order = new ChangeOrder(4);

        assertThat(order.arrived(change(1, 7))).isEmpty();
        assertThat(order.arrived(change(1, 6))).isEmpty();
        assertThat(order.waiting()).isTrue();
        assertThat(order.gapEnd(0)).isEqualTo(7);

        assertThat(changeSeqs(order.arrived(change(2, 5)))).containsExactly(5L, 6L, 7L);
        assertThat(order.delivered()).isEqualTo(7);
        assertThat(order.waiting()).isFalse();
    }

    @Test
    void aGapReadFromTheTableIsMergedWithTheHeldChangesAndWhatFollowsThem() {
        ChangeOrder order = new ChangeOrder(4);
        order.arrived(change(1, 7));
        order.arrived(change(3, 9));

        // change 5 was lost; message 2 was changed at 6, and message 1's row now shows change 8
        List<Message> due = order.filled(order.gapEnd(0), List.of(change(2, 6), change(1, 8)));

        assertThat(changeSeqs(due)).containsExactly(6L, 7L, 8L, 9L);
        assertThat(order.delivered()).isEqualTo(9);
        assertThat(order.waiting()).isFalse();
        assertThat(changeSeqs(order.arrived(change(4, 10)))).containsExactly(10L);
    }

    @Test
    void aCursorThatDoesNotKnowWhereItsChangesStoodStartsAtTheFirstItHearsOrLearnsIt() {
        ChangeOrder heard = new ChangeOrder(ChangeOrder.UNKNOWN);
        assertThat(changeSeqs(heard.arrived(change(1, 12)))).containsExactly(12L);

        ChangeOrder learned = new ChangeOrder(ChangeOrder.UNKNOWN);
        learned.learn(20);
        learned.learn(3);
        assertThat(learned.delivered()).isEqualTo(20);
        assertThat(learned.arrived(change(1, 20))).isEmpty();
    }
}
