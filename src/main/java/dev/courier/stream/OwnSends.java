package dev.courier.stream;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sends of a stream opened with {@code echo=false} whose {@code message} frame it is spared, since its
 * {@code ack} (which carries the whole message) is that client's copy. Each is held from the send until its delivery;
 * a send that failed, or repeated one already stored, is let go at its answer. A connection has at most
 * {@link StreamConnection#MAX_SENDS_IN_FLIGHT} unanswered sends and a delivery follows its commit, so a few dozen are
 * held at most; the bound only keeps a delivery that never comes from growing the set.
 */
final class OwnSends {

    private static final int MAX_HELD = 1024;

    private final Set<UUID> held = ConcurrentHashMap.newKeySet();

    void sending(UUID clientMsgId) {
        if (held.size() < MAX_HELD) {
            held.add(clientMsgId);
        }
    }

    void letGo(UUID clientMsgId) {
        held.remove(clientMsgId);
    }

    /** Whether the delivery of this send is spared; each is spared once. */
    boolean spare(UUID clientMsgId) {
        return clientMsgId != null && held.remove(clientMsgId);
    }
}
