package dev.courier.loadtest.integrity;

import java.util.BitSet;

/**
 * The seqs of one conversation that one stream connection has seen, and the highest of them: a bit per seq
 * instead of a set of keys, since a conversation's seqs run 1, 2, 3, ... without gaps.
 *
 * <p>Not thread-safe: the {@link ConversationLog} that owns it guards it.
 */
final class SeenSeqs {

    enum Delivery { IN_ORDER, OUT_OF_ORDER, DUPLICATE }

    private final BitSet seen = new BitSet();
    private int last;

    /** Records one delivery; a repeat is a duplicate, and only a first sighting can be out of order. */
    Delivery see(int seq) {
        if (seen.get(seq)) {
            return Delivery.DUPLICATE;
        }
        seen.set(seq);
        if (seq < last) {
            return Delivery.OUT_OF_ORDER;
        }
        last = seq;
        return Delivery.IN_ORDER;
    }

    /**
     * Records the connection's own send, acknowledged to it instead of delivered ({@code echo=false}): an ack may
     * overtake the deliveries of earlier seqs, so it does not count in the order, only as seen, once.
     */
    Delivery seeOwn(int seq) {
        if (seen.get(seq)) {
            return Delivery.DUPLICATE;
        }
        seen.set(seq);
        return Delivery.IN_ORDER;
    }

    boolean contains(int seq) {
        return seen.get(seq);
    }

    /** How many of {@code expected} this connection has not seen. */
    int countMissing(BitSet expected) {
        BitSet missing = (BitSet) expected.clone();
        missing.andNot(seen);
        return missing.cardinality();
    }
}
