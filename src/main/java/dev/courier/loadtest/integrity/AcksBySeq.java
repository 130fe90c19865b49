package dev.courier.loadtest.integrity;

import java.util.Arrays;
import java.util.BitSet;

/**
 * The acks of one conversation, in arrays indexed by seq: a conversation numbers its messages 1, 2, 3, ...
 * without gaps, so the arrays are dense, and recording an ack costs an array store instead of hashing a
 * (conversation, seq) key into a map that grows all run. The arrays double when a seq outgrows them.
 *
 * <p>Not thread-safe: the {@link ConversationLog} that owns it guards it.
 */
final class AcksBySeq {

    enum Ack { NEW, REPEATED, CONFLICTING }

    static final int INITIAL_CAPACITY = 64;
    /** The highest seq an array can index. */
    static final int MAX_SEQ = Integer.MAX_VALUE - 16;

    /** Which seqs have an ack: the ack time can be any {@code nanoTime}, so no value of it can mean "none". */
    private final BitSet acked = new BitSet();
    private long[] messageIds = new long[INITIAL_CAPACITY];
    private long[] ackedAtNanos = new long[INITIAL_CAPACITY];

    /** The array index of {@code seq}, which the server never makes negative. */
    static int index(long seq) {
        if (seq < 0 || seq > MAX_SEQ) {
            throw new IllegalArgumentException("seq " + seq + " is outside 0.." + MAX_SEQ);
        }
        return (int) seq;
    }

    /**
     * Records an ack. The first one for a seq stands; another for the same message is {@link Ack#REPEATED}, one
     * for a different message is {@link Ack#CONFLICTING}.
     */
    Ack record(int seq, long messageId, long ackedAt) {
        if (acked.get(seq)) {
            return messageIds[seq] == messageId ? Ack.REPEATED : Ack.CONFLICTING;
        }
        if (seq >= messageIds.length) {
            int length = (int) Math.max(seq + 1L, Math.min(2L * messageIds.length, MAX_SEQ + 1L));
            messageIds = Arrays.copyOf(messageIds, length);
            ackedAtNanos = Arrays.copyOf(ackedAtNanos, length);
        }
        acked.set(seq);
        messageIds[seq] = messageId;
        ackedAtNanos[seq] = ackedAt;
        return Ack.NEW;
    }

    int count() {
        return acked.cardinality();
    }

    /** The message id acknowledged under {@code seq}, which must have an ack. */
    long messageId(int seq) {
        return messageIds[seq];
    }

    /** Every acked seq (a copy). */
    BitSet seqs() {
        return (BitSet) acked.clone();
    }

    /** The seqs acknowledged in [{@code fromNanos}, {@code beforeNanos}). */
    BitSet ackedBetween(long fromNanos, long beforeNanos) {
        BitSet due = new BitSet(acked.length());
        for (int seq = acked.nextSetBit(0); seq >= 0; seq = acked.nextSetBit(seq + 1)) {
            if (ackedAtNanos[seq] >= fromNanos && ackedAtNanos[seq] < beforeNanos) {
                due.set(seq);
            }
        }
        return due;
    }
}
