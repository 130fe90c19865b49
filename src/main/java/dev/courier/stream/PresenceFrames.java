package dev.courier.stream;

import dev.courier.conversations.ConversationService;
import dev.courier.presence.StreamPresence;
import dev.courier.presence.UserPresence;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code presence} frames to this node's streams of the users who share a conversation with a user whose
 * presence changed. Each change costs two queries (who shares a conversation with the user, and the presence as
 * committed now), so it runs on a thread of its own rather than the bus's, where it would hold up messages; changes
 * that wait meanwhile are routed together. The frame says what {@code user_presence} holds when it is read, so a
 * change that comes late, twice or out of order still leaves each client with the current state.
 */
final class PresenceFrames implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceFrames.class);

    /** Changes waiting to be routed; beyond this many the oldest are dropped (and logged). */
    private static final int MAX_WAITING = 10_000;
    /** Users routed per round; the queries take them as one array. */
    private static final int MAX_USERS_PER_ROUND = 1_000;

    private final StreamHub hub;
    private final StreamPresence presence;
    private final ConversationService conversations;
    private final BlockingQueue<Long> changed = new ArrayBlockingQueue<>(MAX_WAITING);
    private final Thread router;

    PresenceFrames(StreamHub hub, StreamPresence presence, ConversationService conversations) {
        this.hub = hub;
        this.presence = presence;
        this.conversations = conversations;
        this.router = Thread.ofVirtual().name("stream-presence").start(this::routeForever);
    }

    /** Queues the users whose presence changed; never blocks the bus. */
    void changed(List<Long> userIds) {
        if (!hub.hasAnyStream()) {
            return; // nobody here to tell
        }
        for (long userId : userIds) {
            if (!changed.offer(userId)) {
                log.warn("presence changes arrive faster than they can be routed; some were not shown");
                return;
            }
        }
    }

    private void routeForever() {
        List<Long> batch = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                batch.add(changed.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            changed.drainTo(batch, MAX_USERS_PER_ROUND - 1);
            try {
                route(new LinkedHashSet<>(batch));
            } catch (RuntimeException e) {
                log.warn("could not route {} presence changes: {}", batch.size(), e.toString());
            }
            batch.clear();
        }
    }

    private void route(Set<Long> users) {
        Map<Long, List<Long>> peers = conversations.peersOf(users);
        List<Long> watched = new ArrayList<>();
        peers.forEach((userId, others) -> {
            if (others.stream().anyMatch(hub::hasStreams)) {
                watched.add(userId);
            }
        });
        for (UserPresence now : presence.current(watched)) {
            String frame = ServerFrame.encode(new ServerFrame.Presence(now.userId(), now.online(), now.lastSeenAt()));
            for (long peer : peers.get(now.userId())) {
                hub.sendTo(peer, frame);
            }
        }
    }

    @Override
    public void close() {
        router.interrupt();
    }
}
