package dev.courier.loadtest.integrity;

import dev.courier.loadtest.integrity.AcksBySeq.Ack;
import dev.courier.loadtest.integrity.SeenSeqs.Delivery;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * One conversation in the {@link IntegrityLedger}: its members, its acks by seq, and what each stream connection
 * saw of it: its messages and the changes to them.
 *
 * <p>Thread-safe by one lock, this object's monitor, which every method holds: acks of one conversation arrive on
 * HTTP client threads and on the sockets' selector thread, deliveries on the selector thread, and the checks run
 * on the ticker and at the end of the run. No other lock is taken while it is held (the connections of a member
 * are read from concurrent collections), so conversations never wait on each other.
 */
final class ConversationLog {

    private final LongFunction<List<ConnectionLog>> connectionsOfUser;
    private final AcksBySeq acks = new AcksBySeq();
    /** By the connection's identity: a handful per conversation, looked up without boxing an id. */
    private final Map<ConnectionLog, SeenSeqs> seenByConnection = new HashMap<>();
    /** The changeSeqs each connection saw, numbered 1, 2, 3, ... like seqs. */
    private final Map<ConnectionLog, SeenSeqs> changesSeenByConnection = new HashMap<>();
    private long[] members = new long[0];

    ConversationLog(LongFunction<List<ConnectionLog>> connectionsOfUser) {
        this.connectionsOfUser = connectionsOfUser;
    }

    synchronized void members(Set<Long> memberIds) {
        members = memberIds.stream().mapToLong(Long::longValue).toArray();
    }

    synchronized Ack acked(int seq, long messageId, long ackedAtNanos) {
        return acks.record(seq, messageId, ackedAtNanos);
    }

    synchronized Delivery delivered(ConnectionLog connection, int seq) {
        return seenByConnection.computeIfAbsent(connection, c -> new SeenSeqs()).see(seq);
    }

    synchronized Delivery ownCopy(ConnectionLog connection, int seq) {
        return seenByConnection.computeIfAbsent(connection, c -> new SeenSeqs()).seeOwn(seq);
    }

    synchronized Delivery changeDelivered(ConnectionLog connection, int changeSeq) {
        return changesSeenByConnection.computeIfAbsent(connection, c -> new SeenSeqs()).see(changeSeq);
    }

    /** Changes 1 to {@code lastChangeSeq} still missing on the members' open connections. */
    synchronized long missingChanges(int lastChangeSeq) {
        if (lastChangeSeq == 0) {
            return 0;
        }
        BitSet due = new BitSet();
        due.set(1, lastChangeSeq + 1);
        long missing = 0;
        for (long member : members) {
            for (ConnectionLog connection : connectionsOfUser.apply(member)) {
                SeenSeqs seen = changesSeenByConnection.get(connection);
                if (!connection.closedEarly()) {
                    missing += seen == null ? lastChangeSeq : seen.countMissing(due);
                }
            }
        }
        return missing;
    }

    synchronized int ackedCount() {
        return acks.count();
    }

    /** Deliveries of {@code seq} still missing on the open connections of the members. */
    synchronized long missingDeliveries(int seq) {
        long missing = 0;
        for (long member : members) {
            for (ConnectionLog connection : connectionsOfUser.apply(member)) {
                SeenSeqs seen = seenByConnection.get(connection);
                if (connection.heldToDelivery() && (seen == null || !seen.contains(seq))) {
                    missing++;
                }
            }
        }
        return missing;
    }

    /** Deliveries still missing, on the members' open connections, of the messages acked in the window. */
    synchronized long missingDeliveries(long ackedFromNanos, long ackedBeforeNanos) {
        BitSet due = acks.ackedBetween(ackedFromNanos, ackedBeforeNanos);
        if (due.isEmpty()) {
            return 0;
        }
        int dueCount = due.cardinality();
        long missing = 0;
        for (long member : members) {
            for (ConnectionLog connection : connectionsOfUser.apply(member)) {
                SeenSeqs seen = seenByConnection.get(connection);
                if (connection.heldToDelivery()) {
                    missing += seen == null ? dueCount : seen.countMissing(due);
                }
            }
        }
        return missing;
    }

    /** Acked seqs whose message is not the one history stores under that seq (or history has none). */
    synchronized long ackedAbsentFrom(Map<Long, Long> storedIdBySeq) {
        long absent = 0;
        BitSet seqs = acks.seqs();
        for (int seq = seqs.nextSetBit(0); seq >= 0; seq = seqs.nextSetBit(seq + 1)) {
            Long stored = storedIdBySeq.get((long) seq);
            if (stored == null || stored != acks.messageId(seq)) {
                absent++;
            }
        }
        return absent;
    }
}
