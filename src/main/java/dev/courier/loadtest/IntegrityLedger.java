package dev.courier.loadtest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the server promised and what the client saw. Every acknowledged message must reach every stream
 * connection of every member that stayed open for the whole run exactly once, in {@code seq} order, and the
 * history of every conversation must number its messages 1, 2, 3, ... with the acknowledged ones in place.
 *
 * <p>Thread-safe: acks and deliveries arrive on many threads. Deliveries of one connection arrive on that
 * connection's listener thread, one at a time, which is what makes "in order" meaningful per connection.
 */
final class IntegrityLedger {

    record MessageKey(long conversationId, long seq) {
    }

    private record Ack(long messageId, long ackedAtNanos) {
    }

    /** One stream connection: who it belongs to and what it saw, per conversation. */
    private static final class ConnectionLog {
        final long userId;
        final Map<Long, Long> lastSeq = new ConcurrentHashMap<>();
        final Set<MessageKey> seen = ConcurrentHashMap.newKeySet();
        volatile boolean closedEarly;

        ConnectionLog(long userId) {
            this.userId = userId;
        }
    }

    private final Map<Long, Set<Long>> membersByConversation = new ConcurrentHashMap<>();
    private final Map<Integer, ConnectionLog> connections = new ConcurrentHashMap<>();
    private final Map<Long, List<ConnectionLog>> connectionsByUser = new ConcurrentHashMap<>();
    private final Map<MessageKey, Ack> acked = new ConcurrentHashMap<>();
    /** Acks in about the order they happened, for the once-per-message running check. */
    private final ConcurrentLinkedQueue<Map.Entry<MessageKey, Long>> toCheck = new ConcurrentLinkedQueue<>();
    private final LongAdder duplicated = new LongAdder();
    private final LongAdder outOfOrder = new LongAdder();

    void conversation(long conversationId, Set<Long> memberIds) {
        membersByConversation.put(conversationId, Set.copyOf(memberIds));
    }

    void connectionOpened(int connectionId, long userId) {
        ConnectionLog log = new ConnectionLog(userId);
        connections.put(connectionId, log);
        connectionsByUser.computeIfAbsent(userId, u -> new CopyOnWriteArrayList<>()).add(log);
    }

    /** A connection that closed before the end is not expected to have seen everything; it is reported apart. */
    void connectionClosedEarly(int connectionId) {
        ConnectionLog log = connections.get(connectionId);
        if (log != null) {
            log.closedEarly = true;
        }
    }

    void acked(long conversationId, long seq, long messageId, long ackedAtNanos) {
        MessageKey key = new MessageKey(conversationId, seq);
        Ack previous = acked.putIfAbsent(key, new Ack(messageId, ackedAtNanos));
        if (previous == null) {
            toCheck.add(Map.entry(key, ackedAtNanos));
        } else if (previous.messageId() != messageId) {
            duplicated.increment(); // two different messages acknowledged with one seq
        }
    }

    /** A {@code message} frame on one connection. */
    void delivered(int connectionId, long conversationId, long seq) {
        ConnectionLog log = connections.get(connectionId);
        if (log == null) {
            throw new IllegalStateException("delivery on unknown connection " + connectionId);
        }
        if (!log.seen.add(new MessageKey(conversationId, seq))) {
            duplicated.increment();
            return;
        }
        long last = log.lastSeq.getOrDefault(conversationId, 0L);
        if (seq < last) {
            outOfOrder.increment();
        } else {
            log.lastSeq.put(conversationId, seq);
        }
    }

    long ackedCount() {
        return acked.size();
    }

    long duplicated() {
        return duplicated.sum();
    }

    long outOfOrder() {
        return outOfOrder.sum();
    }

    int connectionsClosedEarly() {
        return (int) connections.values().stream().filter(c -> c.closedEarly).count();
    }

    /**
     * Deliveries still missing for messages acknowledged in [{@code ackedFromNanos}, {@code ackedBeforeNanos});
     * over all acks at the end of a run, the loss itself.
     */
    long missingDeliveries(long ackedFromNanos, long ackedBeforeNanos) {
        long missing = 0;
        for (Map.Entry<MessageKey, Ack> e : acked.entrySet()) {
            long ackedAt = e.getValue().ackedAtNanos();
            if (ackedAt >= ackedFromNanos && ackedAt < ackedBeforeNanos) {
                missing += missingDeliveries(e.getKey());
            }
        }
        return missing;
    }

    /**
     * Deliveries missing for the messages acknowledged before {@code ackedBeforeNanos} that no earlier call has
     * looked at: each message is checked once, a grace period after its ack, for the progress line's running loss.
     */
    long newlyOverdue(long ackedBeforeNanos) {
        long missing = 0;
        for (Map.Entry<MessageKey, Long> head = toCheck.peek(); head != null && head.getValue() < ackedBeforeNanos;
             head = toCheck.peek()) {
            toCheck.poll();
            missing += missingDeliveries(head.getKey());
        }
        return missing;
    }

    private long missingDeliveries(MessageKey key) {
        long missing = 0;
        for (long member : membersByConversation.getOrDefault(key.conversationId(), Set.of())) {
            for (ConnectionLog log : connectionsByUser.getOrDefault(member, List.of())) {
                if (!log.closedEarly && !log.seen.contains(key)) {
                    missing++;
                }
            }
        }
        return missing;
    }

    /** Compares one conversation's history (ascending, as served) with what was acknowledged. */
    HistoryCheck checkHistory(long conversationId, List<HistoryEntry> history) {
        long gaps = 0;
        long dupes = 0;
        long reordered = 0;
        long previous = 0;
        Map<Long, Long> idBySeq = new ConcurrentHashMap<>();
        Set<Long> ids = new HashSet<>();
        for (HistoryEntry entry : history) {
            if (entry.seq() == previous || !ids.add(entry.messageId())) {
                dupes++;
            } else if (entry.seq() < previous) {
                reordered++;
            } else if (entry.seq() > previous + 1) {
                gaps += entry.seq() - previous - 1;
            }
            previous = Math.max(previous, entry.seq());
            idBySeq.putIfAbsent(entry.seq(), entry.messageId());
        }
        List<Long> missing = new ArrayList<>();
        for (Map.Entry<MessageKey, Ack> e : acked.entrySet()) {
            if (e.getKey().conversationId() == conversationId) {
                Long stored = idBySeq.get(e.getKey().seq());
                if (stored == null || stored != e.getValue().messageId()) {
                    missing.add(e.getKey().seq());
                }
            }
        }
        return new HistoryCheck(conversationId, history.size(), gaps, dupes, reordered, missing.size());
    }

    record HistoryEntry(long seq, long messageId) {
    }

    /** One conversation's history against the acks: gaps in seq, duplicates, disorder, acked messages absent. */
    record HistoryCheck(long conversationId, long messages, long gaps, long duplicated, long outOfOrder, long lost) {
    }
}
