package dev.courier.loadtest.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.loadtest.integrity.IntegrityLedger.HistoryEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
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
    void aReconnectOfTheRunsOwnHoldsNeitherStreamToDeliveriesButStillCatchesDuplicatesAndIsNoServerClose() {
        ledger.delivered(10, CONVERSATION, 1);
        ledger.reconnectionClosing(10);
        ledger.reconnectionOpening(11, ALICE);
        ledger.delivered(11, CONVERSATION, 3);
        ledger.delivered(11, CONVERSATION, 3);
        deliverToBothOnlyBob();

        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isZero();
        assertThat(ledger.duplicated()).isEqualTo(1);
        assertThat(ledger.connectionsClosedEarly()).isZero();
    }

    @Test
    void theRunningLossChecksEachAckOnceAfterItsGrace() {
        deliverToBoth(1);

        assertThat(ledger.newlyOverdue(2)).isZero();       // only seq 1 (acked at 1) is due: delivered
        assertThat(ledger.newlyOverdue(4)).isEqualTo(4);   // seqs 2 and 3, two connections each
        assertThat(ledger.newlyOverdue(4)).isZero();       // already counted
        assertThat(ledger.missingDeliveries(2, 4)).isEqualTo(4);
    }

    @Test
    void seqsFarBeyondTheFirstCapacityAreKept() {
        long last = AcksBySeq.INITIAL_CAPACITY * 5L + 3;
        for (long seq = 4; seq <= last; seq++) {
            ledger.acked(CONVERSATION, seq, 100 + seq, seq);
        }
        for (long seq = 1; seq <= last; seq++) {
            ledger.delivered(10, CONVERSATION, seq);
            if (seq != 150) {
                ledger.delivered(20, CONVERSATION, seq);
            }
        }
        ledger.acked(CONVERSATION, last, 1, last);

        assertThat(ledger.ackedCount()).isEqualTo(last);
        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isEqualTo(1);
        assertThat(ledger.missingDeliveries(150, 151)).isEqualTo(1);   // seq 150 kept its ack time
        assertThat(ledger.missingDeliveries(151, Long.MAX_VALUE)).isZero();
        assertThat(ledger.duplicated()).isEqualTo(1);
        assertThat(ledger.outOfOrder()).isZero();
        assertThat(ledger.checkHistory(CONVERSATION, history(LongStream.rangeClosed(1, last).toArray())).lost())
                .isZero();
    }

    @Test
    void acksArrivingOutOfSeqOrderAreEachKeptWithTheirOwnTime() {
        ledger.acked(CONVERSATION, 6, 106, 10);
        ledger.acked(CONVERSATION, 4, 104, 11);
        ledger.acked(CONVERSATION, 5, 105, 12);
        deliverToBoth(1, 2, 3, 6);

        assertThat(ledger.ackedCount()).isEqualTo(6);
        assertThat(ledger.missingDeliveries(11, 12)).isEqualTo(2);     // seq 4 only
        assertThat(ledger.newlyOverdue(12)).isEqualTo(2);              // seq 6 delivered, seq 4 not, seq 5 not due
        assertThat(ledger.newlyOverdue(13)).isEqualTo(2);              // seq 5
        assertThat(ledger.checkHistory(CONVERSATION, history(1, 2, 3, 4, 5, 6)).lost()).isZero();
        assertThat(ledger.checkHistory(CONVERSATION, history(1, 2, 3, 4, 6)).lost()).isEqualTo(1);
    }

    @Test
    void theSameSeqTwiceInARowOnOneConnectionIsADuplicateOnlyThere() {
        ledger.delivered(10, CONVERSATION, 1);
        ledger.delivered(10, CONVERSATION, 1);
        deliverToBothOnlyBob();
        ledger.delivered(10, CONVERSATION, 2);
        ledger.delivered(10, CONVERSATION, 3);

        assertThat(ledger.duplicated()).isEqualTo(1);
        assertThat(ledger.outOfOrder()).isZero();
        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isZero();
    }

    @Test
    void aLowerSeqIsOutOfOrderOnlyAgainstItsOwnConnectionAndConversation() {
        ledger.conversation(8, Set.of(ALICE, BOB));
        ledger.acked(8, 1, 201, 1);
        ledger.delivered(10, CONVERSATION, 3);
        ledger.delivered(10, 8, 1);          // another conversation's numbering
        ledger.delivered(20, CONVERSATION, 1); // another connection's order
        ledger.delivered(10, CONVERSATION, 2); // below seq 3 on this connection and conversation
        ledger.delivered(10, CONVERSATION, 1);

        assertThat(ledger.outOfOrder()).isEqualTo(2);
        assertThat(ledger.duplicated()).isZero();
        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isEqualTo(3); // Bob: seqs 2 and 3, and 1 of 8
    }

    @Test
    void theFirstAckOfASeqStandsAndIsCheckedOnce() {
        ledger.acked(CONVERSATION, 2, 102, 9);  // the same message again, later
        ledger.acked(CONVERSATION, 3, 999, 9);  // another message under seq 3

        assertThat(ledger.duplicated()).isEqualTo(1);
        assertThat(ledger.ackedCount()).isEqualTo(3);
        assertThat(ledger.missingDeliveries(9, 10)).isZero();
        assertThat(ledger.checkHistory(CONVERSATION, history(1, 2, 3)).lost()).isZero();
        assertThat(ledger.newlyOverdue(100)).isEqualTo(6);          // three seqs, two connections, once each
    }

    @Test
    void aConnectionClosedEarlyIsNotCountedInTheRunningLossEither() {
        ledger.connectionClosedEarly(10);
        deliverToBothOnlyBob();
        ledger.acked(CONVERSATION, 4, 104, 4);

        assertThat(ledger.newlyOverdue(100)).isEqualTo(1);          // Bob's seq 4; Alice's closed connection none
        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isEqualTo(1);
    }

    @Test
    void everyConnectionOfAMemberIsHeldToEveryMessageEvenIfItSawNothingOfTheConversation() {
        ledger.connectionOpened(11, ALICE);
        deliverToBoth(1, 2, 3);

        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isEqualTo(3);
        assertThat(ledger.newlyOverdue(100)).isEqualTo(3);
    }

    @Test
    void acksOfAConversationTheRunNeverLearntCountButAreOwedToNoOne() {
        ledger.acked(99, 1, 501, 1);

        assertThat(ledger.ackedCount()).isEqualTo(4);
        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isEqualTo(6);
        assertThat(ledger.checkHistory(99, List.of()).lost()).isEqualTo(1);
    }

    @Test
    void aNegativeSeqOrADeliveryOnAnUnknownConnectionIsRefused() {
        assertThatThrownBy(() -> ledger.acked(CONVERSATION, -1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.delivered(10, CONVERSATION, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.delivered(30, CONVERSATION, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void acksAndDeliveriesOfOneConversationOnManyThreadsAreAllKept() throws Exception {
        int threads = 8;
        int perThread = 50_000;
        long last = 3 + (long) threads * perThread;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> work = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads + 2)) {
            for (int t = 0; t < threads; t++) {
                long first = 4 + t;
                work.add(pool.submit(() -> {
                    start.await();
                    for (long seq = first; seq <= last; seq += threads) { // interleaved: acks out of seq order
                        ledger.acked(CONVERSATION, seq, 100 + seq, seq);
                    }
                    return null;
                }));
            }
            for (int connection : new int[] {10, 20}) {
                work.add(pool.submit(() -> {
                    start.await();
                    for (long seq = 1; seq <= last; seq++) {
                        ledger.delivered(connection, CONVERSATION, seq);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : work) {
                f.get();
            }
        }

        assertThat(ledger.ackedCount()).isEqualTo(last);
        assertThat(ledger.missingDeliveries(0, Long.MAX_VALUE)).isZero();
        assertThat(ledger.duplicated()).isZero();
        assertThat(ledger.outOfOrder()).isZero();
        assertThat(ledger.checkHistory(CONVERSATION, history(LongStream.rangeClosed(1, last).toArray())).lost())
                .isZero();
    }
}
