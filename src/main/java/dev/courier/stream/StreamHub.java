package dev.courier.stream;

import dev.courier.accounts.AccountService;
import dev.courier.bus.BusListener;
import dev.courier.conversations.Conversation;
import dev.courier.conversations.ConversationService;
import dev.courier.conversations.ConversationStore;
import dev.courier.events.DomainEvent;
import dev.courier.messages.Message;
import dev.courier.messages.MessageChanges;
import dev.courier.messages.MessageService;
import dev.courier.presence.StreamPresence;
import dev.courier.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's side of the fan-out: takes every event the bus brings and routes it to the open streams of the users
 * it concerns.
 *
 * <p>Ordering and gaps: for each conversation the hub keeps the last seq it delivered. A message at or below it is
 * a duplicate and dropped; one beyond the next is preceded by the missing rows, read from the table. That is sound
 * because seqs are claimed under the conversation's row lock, so when seq N is committed every seq below N is too.
 * After the bus reports a possible loss, and every few seconds anyway, the hub compares its cursors with each
 * conversation's {@code last_seq} and delivers what it missed. So each connection sees each conversation's
 * messages once and in seq order, whichever node stored them.
 *
 * <p>Changes to messages (edits, deletes, reactions) are delivered in the order of their {@code changeSeq}
 * ({@link ChangeOrder}): a change at or below the last one delivered is dropped; one that arrives before the ones
 * below it is held for up to a second, and when they have not come by then, the gap is read from the table. A
 * message changed again since is read as its later change left it, so only a lost event can cost a stream a state
 * of a message, never the latest one. Changes have a lock of their own, so that a storm of reactions never holds up
 * the message writers' publisher, which delivers new messages; a change never reaches a stream before the message it
 * changes.
 *
 * <p>Routing needs a conversation's members: read once and kept in the cursor until the conversation changes or the
 * bus may have lost a change.
 */
public final class StreamHub implements BusListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamHub.class);

    /** Cursors kept for conversations without a local member are dropped beyond this many. */
    private static final int MAX_IDLE_CURSORS = 100_000;
    private static final long SWEEP_MILLIS = 3_000;

    /**
     * How long a change that arrived early waits for the ones before it: longer than the bus's hop between two nodes
     * takes under load, shorter than the sweep.
     */
    private static final long REORDER_WAIT_MILLIS = 1_000;

    /** Delivery state of one conversation on this node. */
    private static final class Cursor {
        /** Guards message delivery. */
        final ReentrantLock lock = new ReentrantLock();
        /** Guards change delivery; taken before {@link #lock} where both are held, never after it. */
        final ReentrantLock changeLock = new ReentrantLock();
        /** Written under the lock; read without it only as a hint (catch-up re-checks under the lock). */
        volatile long lastDelivered;
        /** Guarded by the change lock. */
        final ChangeOrder changes;
        /** Whether a read of the gap before held changes is scheduled; guarded by the change lock. */
        boolean gapFillDue;
        volatile List<Long> members;

        /** {@code lastChangeSeq}: the last change delivered, or {@link ChangeOrder#UNKNOWN}. */
        Cursor(long lastDelivered, long lastChangeSeq) {
            this.lastDelivered = lastDelivered;
            this.changes = new ChangeOrder(lastChangeSeq);
        }
    }

    private final MessageService messages;
    private final MessageChanges changes;
    private final ConversationService conversations;
    private final AccountService accounts;
    private final StreamPresence presence;
    private final StreamMetrics metrics;
    private final OpeningCounters openingCounters;
    private final PresenceFrames presenceFrames;
    private final Map<Long, Set<StreamConnection>> byUser = new ConcurrentHashMap<>();
    private final Map<Long, Cursor> cursors = new ConcurrentHashMap<>();
    private final Thread sweeper;
    private final ScheduledExecutorService gapFills =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("stream-change-gaps").factory());
    /** Set when the bus may have lost a revocation; cleared once the sessions were checked. */
    private volatile boolean sessionCheckDue;

    StreamHub(MessageService messages, MessageChanges changes, ConversationService conversations,
              AccountService accounts, StreamPresence presence, StreamMetrics metrics,
              OpeningCounters openingCounters) {
        this.openingCounters = openingCounters;
        this.messages = messages;
        this.changes = changes;
        this.conversations = conversations;
        this.accounts = accounts;
        this.presence = presence;
        this.metrics = metrics;
        this.presenceFrames = new PresenceFrames(this, presence, conversations);
        this.sweeper = Thread.ofVirtual().name("stream-sweep").start(this::sweepForever);
    }

    // ---- connections

    /**
     * Where each conversation of the user stands, for {@link #open}: read before the upgrade is answered, so that a
     * node too busy to read it refuses the upgrade with {@code 503 overloaded} rather than closing a stream it opened.
     */
    Map<Long, ConversationStore.Counters> countersOf(long userId) {
        return openingCounters.of(userId);
    }

    /**
     * Registers a new stream and sends its {@code ready}. Cursors of the user's conversations are set first, at their
     * {@code last_seq} and last change as {@code counters} ({@link #countersOf}) read them before; a message or change
     * committed before {@code ready} is in history, and every one delivered after registration reaches this stream
     * (one committed between the read and the registration may reach it both ways, as across any reconnect; none is
     * lost, since a cursor behind the table reads the gap). The user's first stream on this node is reported to
     * presence.
     */
    void open(StreamConnection connection, Map<Long, ConversationStore.Counters> counters) {
        long userId = connection.userId();
        counters.forEach((id, counter) -> learnLastChange(
                cursors.computeIfAbsent(id, k -> new Cursor(counter.lastSeq(), counter.lastChangeSeq())),
                counter.lastChangeSeq()));
        connection.exclusively(() -> {
            // Added inside compute: a last stream closing at the same moment cannot drop the set this one joins, and
            // presence hears of the first and the last stream in the order they happened.
            byUser.compute(userId, (id, set) -> {
                Set<StreamConnection> streams = set;
                if (streams == null) {
                    streams = ConcurrentHashMap.newKeySet();
                    presence.firstStreamOpened(id);
                }
                streams.add(connection);
                return streams;
            });
            connection.send(new ServerFrame.Ready(userId));
        });
    }

    void closed(StreamConnection connection) {
        byUser.computeIfPresent(connection.userId(), (id, set) -> {
            if (!set.remove(connection) || !set.isEmpty()) {
                return set;
            }
            presence.lastStreamClosed(id);
            return null;
        });
    }

    int openConnections() {
        return byUser.values().stream().mapToInt(Set::size).sum();
    }

    // ---- bus events

    @Override
    public void onEvent(DomainEvent event) {
        switch (event) {
            case DomainEvent.MessageStored stored -> deliverUpTo(stored.message().conversationId(),
                    stored.message().seq(), stored.message());
            case DomainEvent.MessageChanged changed -> changeArrived(changed.message());
            case DomainEvent.ReadMarkerMoved read -> routeRead(read);
            case DomainEvent.ConversationChanged changed -> routeConversationChange(changed);
            case DomainEvent.SessionRevoked revoked -> closeRevoked(revoked);
            case DomainEvent.UserSessionsRevoked revoked -> closeAllRevoked(revoked);
            case DomainEvent.Typing typing -> routeTyping(typing);
            case DomainEvent.PresenceChanged changed -> presenceFrames.changed(changed.userIds());
            case DomainEvent.BusProbe probe -> { } // for the node registry, not for clients
        }
    }

    @Override
    public void onMessageCommitted(long conversationId, long seq) {
        deliverUpTo(conversationId, seq, null);
    }

    @Override
    public void onMessageChangeCommitted(long conversationId, long changeSeq) {
        fillChanges(conversationId, changeSeq, changeSeq - 1);
    }

    /** The frames that another node's batch brings to a socket leave in one write. */
    @Override
    public void together(Runnable handOver) {
        CoalescedWrites.run(handOver);
    }

    @Override
    public void onPossibleLoss() {
        // Membership changes may have been missed too: forget cached members, re-read on next use.
        for (Cursor cursor : cursors.values()) {
            cursor.lock.lock();
            try {
                cursor.members = null;
            } finally {
                cursor.lock.unlock();
            }
        }
        sessionCheckDue = true;
        try {
            catchUp();
            closeStreamsOfEndedSessions();
        } catch (RuntimeException e) {
            log.warn("catching up after a bus loss failed: {}; the sweep retries", e.toString());
        }
    }

    /** A revocation published while the bus was down is lost: ask the database which sessions still stand. */
    private void closeStreamsOfEndedSessions() {
        sessionCheckDue = false;
        List<StreamConnection> local = byUser.values().stream().flatMap(Set::stream).toList();
        if (local.isEmpty()) {
            return;
        }
        Set<String> active;
        try {
            active = accounts.stillActive(local.stream().map(StreamConnection::tokenHashHex).distinct().toList());
        } catch (RuntimeException e) {
            sessionCheckDue = true;
            throw e;
        }
        for (StreamConnection connection : local) {
            if (!active.contains(connection.tokenHashHex())) {
                metrics.revoked();
                connection.close(StreamConnection.CLOSE_REVOKED, "token revoked");
            }
        }
    }

    /** Delivers every message of the conversation up to {@code seq}; {@code known} is message {@code seq} if at hand. */
    private void deliverUpTo(long conversationId, long seq, Message known) {
        Cursor cursor = cursors.computeIfAbsent(conversationId, k -> new Cursor(seq - 1, ChangeOrder.UNKNOWN));
        cursor.lock.lock();
        try {
            if (seq <= cursor.lastDelivered) {
                return;
            }
            List<Message> due = new ArrayList<>();
            long readUpTo = known == null ? seq : seq - 1;
            if (seq > cursor.lastDelivered + 1) {
                metrics.gapFilled();
            }
            if (readUpTo > cursor.lastDelivered) {
                due.addAll(messages.committedBetween(conversationId, cursor.lastDelivered, readUpTo));
            }
            if (known != null) {
                due.add(known);
            }
            List<Long> members = members(conversationId, cursor);
            for (Message message : due) {
                if (message.seq() != cursor.lastDelivered + 1) {
                    // Not yet visible to this read (cannot happen after commit, but never skip a seq silently).
                    log.warn("conversation {}: expected seq {} but found {}; catching up later", conversationId,
                            cursor.lastDelivered + 1, message.seq());
                    return;
                }
                sendMessage(members, message, ServerFrame.encode(new ServerFrame.MessageFrame(message)));
                cursor.lastDelivered = message.seq();
            }
        } catch (RuntimeException e) {
            log.warn("conversation {}: delivery up to seq {} failed: {}; the sweep retries", conversationId, seq,
                    e.toString());
        } finally {
            cursor.lock.unlock();
        }
    }

    /**
     * A change as it committed, on this node or another: delivered in changeSeq order, or held for the changes before
     * it. No cursor means no stream on this node has watched the conversation: there is nobody here to tell, and a
     * stream that opens later finds the change in history.
     */
    private void changeArrived(Message change) {
        long conversationId = change.conversationId();
        Cursor cursor = cursors.get(conversationId);
        if (cursor == null) {
            return;
        }
        cursor.changeLock.lock();
        try {
            deliverChanges(conversationId, cursor, cursor.changes.arrived(change));
            if (cursor.changes.waiting() && !cursor.gapFillDue) {
                cursor.gapFillDue = true;
                gapFills.schedule(() -> fillChanges(conversationId, 0, ChangeOrder.UNKNOWN), REORDER_WAIT_MILLIS,
                        TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            log.warn("conversation {}: delivery of change {} failed: {}; the sweep retries", conversationId,
                    change.changeSeq(), e.toString());
        } finally {
            cursor.changeLock.unlock();
        }
    }

    /**
     * Reads the conversation's changes up to {@code changeSeq} from the table, and those before every held change,
     * and delivers them in order. A cursor that does not know yet where its changes stood takes {@code ifUnknown}.
     * Changes below one committed are committed too: each took the counter after the one before had committed.
     */
    private void fillChanges(long conversationId, long changeSeq, long ifUnknown) {
        Cursor cursor = cursors.get(conversationId);
        if (cursor == null) {
            return;
        }
        cursor.changeLock.lock();
        try {
            cursor.gapFillDue = false;
            ChangeOrder order = cursor.changes;
            order.learn(ifUnknown);
            long upTo = order.gapEnd(changeSeq);
            if (upTo <= order.delivered()) {
                return;
            }
            if (upTo > order.delivered() + 1) {
                metrics.gapFilled();
            }
            List<Message> fromTable = changes.changedBetween(conversationId, order.delivered(), upTo);
            deliverChanges(conversationId, cursor, order.filled(upTo, fromTable));
        } catch (RuntimeException e) {
            log.warn("conversation {}: delivery of changes up to {} failed: {}; the sweep retries", conversationId,
                    changeSeq, e.toString());
        } finally {
            cursor.changeLock.unlock();
        }
    }

    /** Sends each change to the members' streams, once the messages they change are delivered. */
    private void deliverChanges(long conversationId, Cursor cursor, List<Message> due) {
        if (due.isEmpty()) {
            return;
        }
        long newestSeq = due.stream().mapToLong(Message::seq).max().orElse(0);
        if (newestSeq > cursor.lastDelivered) {
            deliverUpTo(conversationId, newestSeq, null); // the messages first, then their changes
        }
        List<Long> members = members(conversationId, cursor);
        for (Message message : due) {
            sendToMembers(members, ServerFrame.encode(new ServerFrame.MessageChangedFrame(message)));
        }
    }

    /** A cursor made by a message learns where the conversation's changes stand, before it delivers any of them. */
    private static void learnLastChange(Cursor cursor, long lastChangeSeq) {
        cursor.changeLock.lock();
        try {
            cursor.changes.learn(lastChangeSeq);
        } finally {
            cursor.changeLock.unlock();
        }
    }

    private void routeRead(DomainEvent.ReadMarkerMoved read) {
        Cursor cursor = cursors.get(read.conversationId());
        if (cursor == null) {
            return;
        }
        String frame = ServerFrame.encode(new ServerFrame.Read(read.conversationId(), read.userId(), read.seq()));
        cursor.lock.lock();
        try {
            sendToMembers(members(read.conversationId(), cursor), frame);
        } finally {
            cursor.lock.unlock();
        }
    }

    /** To the other members' streams on this node; nothing when no member has a stream here. */
    private void routeTyping(DomainEvent.Typing typing) {
        Cursor cursor = cursors.get(typing.conversationId());
        if (cursor == null) {
            return;
        }
        String frame = ServerFrame.encode(new ServerFrame.Typing(typing.conversationId(), typing.userId()));
        for (long userId : membersWithoutWaiting(typing.conversationId(), cursor)) {
            if (userId != typing.userId()) {
                sendTo(userId, frame);
            }
        }
    }

    /**
     * Whether the user is a member of the conversation, by the members this node keeps for routing its events; by
     * the table when it keeps none (no member has a stream here, or the conversation is not one it has seen).
     */
    boolean isMember(long conversationId, long userId) {
        Cursor cursor = cursors.get(conversationId);
        if (cursor == null) {
            return conversations.isMember(conversationId, userId);
        }
        return membersWithoutWaiting(conversationId, cursor).contains(userId);
    }

    private void routeConversationChange(DomainEvent.ConversationChanged changed) {
        long conversationId = changed.conversationId();
        List<Long> members = conversations.memberIds(conversationId);
        List<Long> affected = changed.affectedUserIds().isEmpty() ? members : changed.affectedUserIds();
        for (long userId : affected) {
            Set<StreamConnection> local = byUser.get(userId);
            if (local == null || local.isEmpty()) {
                continue;
            }
            Conversation view;
            try {
                view = conversations.get(userId, conversationId);
            } catch (ApiException notAMember) {
                continue; // removed: no longer allowed to see it
            }
            Cursor cursor = cursors.computeIfAbsent(conversationId,
                    k -> new Cursor(view.lastSeq(), view.lastChangeSeq()));
            String frame = ServerFrame.encode(new ServerFrame.ConversationFrame(view));
            cursor.lock.lock();
            try {
                cursor.members = members;
                local.forEach(c -> c.send(frame));
            } finally {
                cursor.lock.unlock();
            }
        }
        Cursor cursor = cursors.get(conversationId);
        if (cursor != null) {
            cursor.lock.lock();
            try {
                cursor.members = members;
            } finally {
                cursor.lock.unlock();
            }
        }
    }

    private void closeRevoked(DomainEvent.SessionRevoked revoked) {
        Set<StreamConnection> local = byUser.get(revoked.userId());
        if (local == null) {
            return;
        }
        for (StreamConnection connection : local) {
            if (connection.openedWith(revoked.tokenHash())) {
                metrics.revoked();
                connection.close(StreamConnection.CLOSE_REVOKED, "token revoked");
            }
        }
    }

    private void closeAllRevoked(DomainEvent.UserSessionsRevoked revoked) {
        Set<StreamConnection> local = byUser.get(revoked.userId());
        if (local == null) {
            return;
        }
        for (StreamConnection connection : local) {
            if (revoked.keptTokenHash() == null || !connection.openedWith(revoked.keptTokenHash())) {
                metrics.revoked();
                connection.close(StreamConnection.CLOSE_REVOKED, "token revoked");
            }
        }
    }

    /** The conversation's members, read once and kept until a change. The caller holds {@code cursor.lock}. */
    private List<Long> members(long conversationId, Cursor cursor) {
        if (cursor.members == null) {
            cursor.members = conversations.memberIds(conversationId);
        }
        return cursor.members;
    }

    /**
     * The members as kept, without waiting for the cursor's lock (a delivery may hold it while it reads the table);
     * when none are kept, read under the lock, so that a read never overwrites what a membership change set meanwhile.
     */
    private List<Long> membersWithoutWaiting(long conversationId, Cursor cursor) {
        List<Long> members = cursor.members;
        if (members != null) {
            return members;
        }
        cursor.lock.lock();
        try {
            return members(conversationId, cursor);
        } finally {
            cursor.lock.unlock();
        }
    }

    /** A new message to every member's streams here, but not to a stream that sent it with {@code echo=false}. */
    private void sendMessage(List<Long> members, Message message, String frame) {
        for (long userId : members) {
            Set<StreamConnection> local = byUser.get(userId);
            if (local == null) {
                continue;
            }
            for (StreamConnection connection : local) {
                if (!connection.spares(message.senderId(), message.clientMsgId())) {
                    connection.send(frame);
                }
            }
        }
    }

    private void sendToMembers(List<Long> members, String frame) {
        for (long userId : members) {
            sendTo(userId, frame);
        }
    }

    /** Sends the frame to every stream of the user on this node. */
    void sendTo(long userId, String frame) {
        Set<StreamConnection> local = byUser.get(userId);
        if (local != null) {
            local.forEach(c -> c.send(frame));
        }
    }

    /** How many streams the user has open on this node. */
    int streamCount(long userId) {
        Set<StreamConnection> local = byUser.get(userId);
        return local == null ? 0 : local.size();
    }

    /** Whether the user has a stream on this node. */
    boolean hasStreams(long userId) {
        return byUser.containsKey(userId);
    }

    boolean hasAnyStream() {
        return !byUser.isEmpty();
    }

    // ---- catching up from the table

    /**
     * Delivers whatever committed messages and changes this node has not delivered yet, for conversations with local
     * members.
     */
    void catchUp() {
        Set<Long> watched = new java.util.HashSet<>();
        cursors.forEach((id, cursor) -> {
            List<Long> members = cursor.members;
            if (members == null || members.stream().anyMatch(byUser::containsKey)) {
                watched.add(id);
            }
        });
        if (watched.isEmpty()) {
            return;
        }
        conversations.counters(watched).forEach((id, counters) -> {
            Cursor cursor = cursors.get(id);
            if (cursor == null) {
                return;
            }
            if (counters.lastSeq() > cursor.lastDelivered) {
                deliverUpTo(id, counters.lastSeq(), null);
            }
            fillChanges(id, counters.lastChangeSeq(), counters.lastChangeSeq());
        });
        if (cursors.size() > MAX_IDLE_CURSORS) {
            cursors.keySet().removeIf(id -> !watched.contains(id));
        }
    }

    private void sweepForever() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(SWEEP_MILLIS);
                catchUp();
                if (sessionCheckDue) {
                    closeStreamsOfEndedSessions();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.debug("stream catch-up sweep failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        sweeper.interrupt();
        gapFills.shutdownNow();
        presenceFrames.close();
    }
}
