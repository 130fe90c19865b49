package dev.courier.loadtest.integrity;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
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
 * Everything about one conversation (its acks, what each connection saw of it) is kept by a
 * {@link ConversationLog} under that conversation's own lock; the maps here only find conversations and
 * connections and change while the run is set up.
 *
 * <p>Seqs index arrays (see {@link AcksBySeq}): a seq below 0 or above {@link AcksBySeq#MAX_SEQ} is rejected
 * with an {@link IllegalArgumentException}, which no server numbering from 1 comes near in a run.
 */
public final class IntegrityLedger {

    /** An ack waiting for the running loss check. */
    private record Due(ConversationLog conversation, int seq, long ackedAtNanos) {
    }

    private final Map<Long, ConversationLog> conversations = new ConcurrentHashMap<>();
    private final Map<Integer, ConnectionLog> connections = new ConcurrentHashMap<>();
    private final Map<Long, List<ConnectionLog>> connectionsByUser = new ConcurrentHashMap<>();
    /** Acks in about the order they happened, for the once-per-message running check. */
    private final Queue<Due> toCheck = new ConcurrentLinkedQueue<>();
    private final LongAdder duplicated = new LongAdder();
    private final LongAdder outOfOrder = new LongAdder();
    private final LongAdder changesDuplicated = new LongAdder();
    private final LongAdder changesOutOfOrder = new LongAdder();

    public void conversation(long conversationId, Set<Long> memberIds) {
        conversationLog(conversationId).members(memberIds);
    }

    public void connectionOpened(int connectionId, long userId) {
        ConnectionLog log = new ConnectionLog();
        connections.put(connectionId, log);
        connectionsByUser.computeIfAbsent(userId, u -> new CopyOnWriteArrayList<>()).add(log);
    }

    /**
     * A stream the run opens in place of one it closed (a reconnect of its own making): it missed what came
     * meanwhile, so neither it nor the one it replaces is held to delivery. Registered before the socket opens,
     * so that its first frame finds it.
     */
    public void reconnectionOpening(int connectionId, long userId) {
        connectionOpened(connectionId, userId);
        connections.get(connectionId).reconnected();
    }

    /** The run closes a stream on purpose, to reconnect: it owes no deliveries from now on. */
    public void reconnectionClosing(int connectionId) {
        ConnectionLog log = connections.get(connectionId);
        if (log != null) {
            log.reconnected();
        }
    }

    /** A connection that closed before the end is not expected to have seen everything; it is reported apart. */
    public void connectionClosedEarly(int connectionId) {
        ConnectionLog log = connections.get(connectionId);
        if (log != null) {
            log.closeEarly();
        }
    }

    public void acked(long conversationId, long seq, long messageId, long ackedAtNanos) {
        int index = AcksBySeq.index(seq);
        ConversationLog conversation = conversationLog(conversationId);
        switch (conversation.acked(index, messageId, ackedAtNanos)) {
            case NEW -> toCheck.add(new Due(conversation, index, ackedAtNanos));
            case CONFLICTING -> duplicated.increment(); // two different messages acknowledged with one seq
            case REPEATED -> { }
        }
    }

    /**
     * The {@code ack} of a send on the connection that sent it, where that stream gets no {@code message} frame of
     * its own sends ({@code echo=false}): the ack is its copy. Seen once, like a delivery, but outside the order.
     */
    public void ownCopy(int connectionId, long conversationId, long seq) {
        ConnectionLog log = connections.get(connectionId);
        if (log == null) {
            throw new IllegalStateException("ack on unknown connection " + connectionId);
        }
        if (conversationLog(conversationId).ownCopy(log, AcksBySeq.index(seq)) == SeenSeqs.Delivery.DUPLICATE) {
            duplicated.increment();
        }
    }

    /** A {@code message} frame on one connection. */
    public void delivered(int connectionId, long conversationId, long seq) {
        ConnectionLog log = connections.get(connectionId);
        if (log == null) {
            throw new IllegalStateException("delivery on unknown connection " + connectionId);
        }
        switch (conversationLog(conversationId).delivered(log, AcksBySeq.index(seq))) {
            case DUPLICATE -> duplicated.increment();
            case OUT_OF_ORDER -> outOfOrder.increment();
            case IN_ORDER -> { }
        }
    }

    /**
     * A {@code message_changed} frame on one connection: change {@code changeSeq} of the conversation. Every change
     * of a conversation must reach each open connection of each member once, in changeSeq order, like a message.
     */
    public void changeDelivered(int connectionId, long conversationId, long changeSeq) {
        ConnectionLog log = connections.get(connectionId);
        if (log == null) {
            throw new IllegalStateException("change delivered on unknown connection " + connectionId);
        }
        switch (conversationLog(conversationId).changeDelivered(log, AcksBySeq.index(changeSeq))) {
            case DUPLICATE -> changesDuplicated.increment();
            case OUT_OF_ORDER -> changesOutOfOrder.increment();
            case IN_ORDER -> { }
        }
    }

    /**
     * Change deliveries still missing on the members' open connections, given each conversation's last change as the
     * server counts it: over all conversations at the end of a run, the loss itself.
     */
    public long missingChanges(Map<Long, Long> lastChangeSeqs) {
        long missing = 0;
        for (Map.Entry<Long, Long> last : lastChangeSeqs.entrySet()) {
            missing += conversationLog(last.getKey()).missingChanges(AcksBySeq.index(last.getValue()));
        }
        return missing;
    }

    public long changesDuplicated() {
        return changesDuplicated.sum();
    }

    public long changesOutOfOrder() {
        return changesOutOfOrder.sum();
    }

    /**
     * A conversation learnt during setup, or one the server names that the run never opened: its acks still
     * count, but it has no members to deliver to.
     */
    private ConversationLog conversationLog(long conversationId) {
        ConversationLog log = conversations.get(conversationId);
        return log != null ? log : conversations.computeIfAbsent(conversationId,
                id -> new ConversationLog(this::connectionsOf));
    }

    private List<ConnectionLog> connectionsOf(long userId) {
        return connectionsByUser.getOrDefault(userId, List.of());
    }

    public long ackedCount() {
        return conversations.values().stream().mapToLong(ConversationLog::ackedCount).sum();
    }

    public long duplicated() {
        return duplicated.sum();
    }

    public long outOfOrder() {
        return outOfOrder.sum();
    }

    public int connectionsClosedEarly() {
        return (int) connections.values().stream().filter(ConnectionLog::closedEarly).count();
    }

    /**
     * Deliveries still missing for messages acknowledged in [{@code ackedFromNanos}, {@code ackedBeforeNanos});
     * over all acks at the end of a run, the loss itself.
     */
    public long missingDeliveries(long ackedFromNanos, long ackedBeforeNanos) {
        long missing = 0;
        for (ConversationLog conversation : conversations.values()) {
            missing += conversation.missingDeliveries(ackedFromNanos, ackedBeforeNanos);
        }
        return missing;
    }

    /**
     * Deliveries missing for the messages acknowledged before {@code ackedBeforeNanos} that no earlier call has
     * looked at: each message is checked once, a grace period after its ack, for the progress line's running loss.
     */
    public long newlyOverdue(long ackedBeforeNanos) {
        long missing = 0;
        for (Due head = toCheck.peek(); head != null && head.ackedAtNanos() < ackedBeforeNanos; head = toCheck.peek()) {
            toCheck.poll();
            missing += head.conversation().missingDeliveries(head.seq());
        }
        return missing;
    }

    /** Compares one conversation's history (ascending, as served) with what was acknowledged. */
    public HistoryCheck checkHistory(long conversationId, List<HistoryEntry> history) {
        long gaps = 0;
        long dupes = 0;
        long reordered = 0;
        long previous = 0;
        Map<Long, Long> idBySeq = HashMap.newHashMap(history.size());
        Set<Long> ids = HashSet.newHashSet(history.size());
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
        ConversationLog conversation = conversations.get(conversationId);
        long lost = conversation == null ? 0 : conversation.ackedAbsentFrom(idBySeq);
        return new HistoryCheck(conversationId, history.size(), gaps, dupes, reordered, lost);
    }

    public record HistoryEntry(long seq, long messageId) {
    }

    /** One conversation's history against the acks: gaps in seq, duplicates, disorder, acked messages absent. */
    public record HistoryCheck(long conversationId, long messages, long gaps, long duplicated, long outOfOrder, long lost) {
    }
}
