package dev.courier.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.IntegrityLedger.HistoryEntry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IntegrityLedgerTest {

    private static final long CONVERSATION = 7;
    private static final long ALICE = 1;
    private static final long BOB = 2;
    private IntegrityLedger ledger;

    @BeforeEach
    void twoMembersEachWithOneConnection() {
        ledger = new IntegrityLedger();
        ledger.conversation(CONVERSATION, Set.of(ALICE, BOB));
        ledger.connectionOpened(10, ALICE);
        ledger.connectionOpened(20, BOB);
        for (long seq = 1; seq <= 3; seq++) {
            ledger.acked(CONVERSATION, seq, 100 + seq, seq);
        }
    }

    private void deliverToBoth(long... seqs) {
        for (long seq : seqs) {
            ledger.delivered(10, CONVERSATION, seq);
            ledger.delivered(20, CONVERSATION, seq);
        }
    }

    private static List<HistoryEntry> history(long... seqs) {
        return java.util.Arrays.stream(seqs).mapToObj(s -> new HistoryEntry(s, 100 + s)).toList();
    }

    @Test
    void aCleanRunHasNothingToReport() {
        deliverToBoth(1, 2, 3);

        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isZero();
        assertThat(ledger.duplicated()).isZero();
        assertThat(ledger.outOfOrder()).isZero();
        IntegrityLedger.HistoryCheck h = ledger.checkHistory(CONVERSATION, history(1, 2, 3));
        assertThat(h).isEqualTo(new IntegrityLedger.HistoryCheck(CONVERSATION, 3, 0, 0, 0, 0));
    }

    @Test
    void aMessageThatNeverReachesAMembersConnectionIsLost() {
        deliverToBoth(1, 3);
        ledger.delivered(10, CONVERSATION, 2); // Bob's connection never sees seq 2

        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isEqualTo(1);
    }

    @Test
    void anAcknowledgedMessageMissingFromHistoryIsLostAndLeavesAGap() {
        IntegrityLedger.HistoryCheck h = ledger.checkHistory(CONVERSATION, history(1, 3));

        assertThat(h.lost()).isEqualTo(1);
        assertThat(h.gaps()).isEqualTo(1);
    }

    @Test
    void aMessageSeenTwiceOnOneConnectionIsADuplicate() {
        deliverToBoth(1, 2, 3);
        ledger.delivered(20, CONVERSATION, 2);

        assertThat(ledger.duplicated()).isEqualTo(1);
        assertThat(ledger.outOfOrder()).isZero();
    }

    @Test
    void twoMessagesAcknowledgedUnderOneSeqAreADuplicate() {
        ledger.acked(CONVERSATION, 2, 999, 5);

        assertThat(ledger.duplicated()).isEqualTo(1);
    }

    @Test
    void aLowerSeqAfterAHigherOneOnOneConnectionIsOutOfOrder() {
        ledger.delivered(10, CONVERSATION, 1);
        ledger.delivered(10, CONVERSATION, 3);
        ledger.delivered(10, CONVERSATION, 2);
        deliverToBothOnlyBob();

        assertThat(ledger.outOfOrder()).isEqualTo(1);
        assertThat(ledger.duplicated()).isZero();
        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isZero();
    }

    private void deliverToBothOnlyBob() {
        for (long seq = 1; seq <= 3; seq++) {
            ledger.delivered(20, CONVERSATION, seq);
        }
    }

    @Test
    void historyServedOutOfOrderOrTwiceIsCaught() {
        IntegrityLedger.HistoryCheck reordered = ledger.checkHistory(CONVERSATION, history(1, 3, 2));
        IntegrityLedger.HistoryCheck doubled = ledger.checkHistory(CONVERSATION, history(1, 2, 2, 3));

        assertThat(reordered.outOfOrder()).isEqualTo(1);
        assertThat(doubled.duplicated()).isEqualTo(1);
    }

    @Test
    void aConnectionTheServerClosedIsNotHeldToDeliveriesAfterwards() {
        ledger.delivered(10, CONVERSATION, 1);
        ledger.connectionClosedEarly(10);
        deliverToBothOnlyBob();

        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isZero();
        assertThat(ledger.connectionsClosedEarly()).isEqualTo(1);
    }

    @Test
    void theRunningLossChecksEachAckOnceAfterItsGrace() {
        deliverToBoth(1);

        assertThat(ledger.newlyOverdue(2)).isZero();       // only seq 1 (acked at 1) is due: delivered
        assertThat(ledger.newlyOverdue(4)).isEqualTo(4);   // seqs 2 and 3, two connections each
        assertThat(ledger.newlyOverdue(4)).isZero();       // already counted
        assertThat(ledger.missingDeliveries(2, 4)).isEqualTo(4);
    }
}
