package dev.courier.stream;

import dev.courier.accounts.AccountService;
import dev.courier.bus.BusListener;
import dev.courier.conversations.Conversation;
import dev.courier.conversations.ConversationService;
import dev.courier.events.DomainEvent;
import dev.courier.messages.Message;
import dev.courier.messages.MessageChanges;
import dev.courier.messages.MessageService;
import dev.courier.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Changes to messages (edits, deletes, reactions) are delivered the same way by their {@code changeSeq}: a change
 * at or below the last one delivered is dropped, one beyond the next is preceded by the messages changed in between,
 * read from the table. A message changed twice in between is read as it is after its later change, so a stream can
 * see fewer states of a message than there were changes, but always in changeSeq order and always ending at the
 * latest. Changes have a lock of their own, so that a storm of reactions never holds up the message writers'
 * publisher, which delivers new messages; a change never reaches a stream before the message it changes.
 *
 * <p>Routing needs a conversation's members: read once and kept in the cursor until the conversation changes or the
 * bus may have lost a change.
 */
public final class StreamHub implements BusListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamHub.class);

    /** Cursors kept for conversations without a local member are dropped beyond this many. */
    private static final int MAX_IDLE_CURSORS = 100_000;
    private static final long SWEEP_MILLIS = 3_000;

    /** A cursor's last change delivered before it is known: set by the first change the cursor hears of. */
    private static final long UNKNOWN = -1;

    /** Delivery state of one conversation on this node. */
    private static final class Cursor {
        /** Guards message delivery. */
        final ReentrantLock lock = new ReentrantLock();
        /** Guards change delivery; taken before {@link #lock} where both are held, never after it. */
        final ReentrantLock changeLock = new ReentrantLock();
        /** Written under the lock; read without it only as a hint (catch-up re-checks under the lock). */
        volatile long lastDelivered;
        /** Written under the change lock; {@link #UNKNOWN} until the cursor learns it. */
        volatile long lastChangeDelivered;
        volatile List<Long> members;

        Cursor(long lastDelivered, long lastChangeDelivered) {
            this.lastDelivered = lastDelivered;
            this.lastChangeDelivered = lastChangeDelivered;
        }
    }

    private final MessageService messages;
    private final MessageChanges changes;
    private final ConversationService conversations;
    private final AccountService accounts;
    private final StreamMetrics metrics;
    private final Map<Long, Set<StreamConnection>> byUser = new ConcurrentHashMap<>();
    private final Map<Long, Cursor> cursors = new ConcurrentHashMap<>();
    private final Thread sweeper;
    /** Set when the bus may have lost a revocation; cleared once the sessions were checked. */
    private volatile boolean sessionCheckDue;

    StreamHub(MessageService messages, MessageChanges changes, ConversationService conversations,
              AccountService accounts, StreamMetrics metrics) {
        this.messages = messages;
        this.changes = changes;
        this.conversations = conversations;
        this.accounts = accounts;
        this.metrics = metrics;
        this.sweeper = Thread.ofVirtual().name("stream-sweep").start(this::sweepForever);
    }

    // ---- connections

    /**
     * Registers a new stream and sends its {@code ready}. Cursors of the user's conversations are set first, at their
     * current {@code last_seq} and last change; a message or change committed before {@code ready} is in history, and
     * every one delivered after registration reaches this stream.
     */
    void open(StreamConnection connection) {
        long userId = connection.userId();
        conversations.countersOfMember(userId).forEach((id, counters) -> learnLastChange(
                cursors.computeIfAbsent(id, k -> new Cursor(counters.lastSeq(), counters.lastChangeSeq())),
                counters.lastChangeSeq()));
        connection.exclusively(() -> {
            byUser.computeIfAbsent(userId, k -> ConcurrentHashMap.newKeySet()).add(connection);
            connection.send(new ServerFrame.Ready(userId));
        });
    }

    void closed(StreamConnection connection) {
        byUser.computeIfPresent(connection.userId(), (id, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
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
            case DomainEvent.MessageChanged changed -> deliverChangesUpTo(changed.message().conversationId(),
                    changed.message().changeSeq(), changed.message());
            case DomainEvent.ReadMarkerMoved read -> routeRead(read);
            case DomainEvent.ConversationChanged changed -> routeConversationChange(changed);
            case DomainEvent.SessionRevoked revoked -> closeRevoked(revoked);
        }
    }

    @Override
    public void onMessageCommitted(long conversationId, long seq) {
        deliverUpTo(conversationId, seq, null);
    }

    @Override
    public void onMessageChangeCommitted(long conversationId, long changeSeq) {
        deliverChangesUpTo(conversationId, changeSeq, null);
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
        Cursor cursor = cursors.computeIfAbsent(conversationId, k -> new Cursor(seq - 1, UNKNOWN));
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
                sendToMembers(members, ServerFrame.encode(new ServerFrame.MessageFrame(message)));
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
     * Delivers every change of the conversation up to {@code changeSeq}; {@code known} is the message as change
     * {@code changeSeq} left it, if at hand. No cursor means no stream on this node has watched the conversation:
     * there is nobody here to tell, and a stream that opens later finds the change in history.
     */
    private void deliverChangesUpTo(long conversationId, long changeSeq, Message known) {
        Cursor cursor = cursors.get(conversationId);
        if (cursor == null) {
            return;
        }
        cursor.changeLock.lock();
        try {
            if (cursor.lastChangeDelivered == UNKNOWN) {
                cursor.lastChangeDelivered = changeSeq - 1;
            }
            if (changeSeq <= cursor.lastChangeDelivered) {
                return;
            }
            List<Message> due = new ArrayList<>();
            long readUpTo = known == null ? changeSeq : changeSeq - 1;
            if (changeSeq > cursor.lastChangeDelivered + 1) {
                metrics.gapFilled();
            }
            if (readUpTo > cursor.lastChangeDelivered) {
                // Changes below changeSeq are committed: each took the counter after the one before had committed.
                due.addAll(changes.changedBetween(conversationId, cursor.lastChangeDelivered, readUpTo));
            }
            if (known != null) {
                due.add(known);
            }
            long newestSeq = due.stream().mapToLong(Message::seq).max().orElse(0);
            if (newestSeq > cursor.lastDelivered) {
                deliverUpTo(conversationId, newestSeq, null); // the messages first, then their changes
            }
            List<Long> members = members(conversationId, cursor);
            for (Message message : due) {
                sendToMembers(members, ServerFrame.encode(new ServerFrame.MessageChangedFrame(message)));
            }
            cursor.lastChangeDelivered = changeSeq;
        } catch (RuntimeException e) {
            log.warn("conversation {}: delivery of changes up to {} failed: {}; the sweep retries", conversationId,
                    changeSeq, e.toString());
        } finally {
            cursor.changeLock.unlock();
        }
    }

    /** A cursor made by a message learns where the conversation's changes stand, before it delivers any of them. */
    private static void learnLastChange(Cursor cursor, long lastChangeSeq) {
        if (cursor.lastChangeDelivered != UNKNOWN) {
            return;
        }
        cursor.changeLock.lock();
        try {
            if (cursor.lastChangeDelivered == UNKNOWN) {
                cursor.lastChangeDelivered = lastChangeSeq;
            }
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

    private List<Long> members(long conversationId, Cursor cursor) {
        if (cursor.members == null) {
            cursor.members = conversations.memberIds(conversationId);
        }
        return cursor.members;
    }

    private void sendToMembers(List<Long> members, String frame) {
        for (long userId : members) {
            Set<StreamConnection> local = byUser.get(userId);
            if (local != null) {
                local.forEach(c -> c.send(frame));
            }
        }
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
            learnLastChange(cursor, counters.lastChangeSeq());
            if (counters.lastChangeSeq() > cursor.lastChangeDelivered) {
                deliverChangesUpTo(id, counters.lastChangeSeq(), null);
            }
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
    }
}
