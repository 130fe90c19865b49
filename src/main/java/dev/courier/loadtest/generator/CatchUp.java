package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.StreamConnection;
import dev.courier.loadtest.client.StreamFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A resumed stream's catch-up, as a client does it after a reconnect: the {@code message} frames the new socket brings
 * wait while the pages after the last seq seen are read; then the pages are delivered, and of the socket's messages
 * only those beyond what the pages held, then and later: a message committed around the reconnect is in both, and its
 * frame may reach the new node's socket well after the page was read (the bus between the nodes lags under load). The
 * contract's rule, de-duplicate by (conversationId, seq) across a reconnect, applied to what the pages brought only,
 * so a duplicate the socket itself brings is still counted. Frames that carry no message (acks, errors, typing) pass
 * at once. Guarded by its own monitor: frames come on the sockets' thread, the pages on the thread that reads them.
 */
final class CatchUp {

    /** What the intake does with a frame; the resumed stream's own intake. */
    interface Deliver {
        void deliver(StreamFrame frame, long receivedNanos);
    }

    private record Held(StreamConnection socket, StreamFrame frame, long receivedNanos) {
    }

    private final List<Held> held = new ArrayList<>();
    /** The highest seq the pages held, by conversation; set when they are delivered. */
    private Map<Long, Long> caughtUp = Map.of();
    /** The socket that was resumed with; set when the catch-up is done. */
    private StreamConnection resumedOn;
    private boolean done;
    private int deduplicated;

    /**
     * True when the frame is taken care of here: kept to be delivered after the catch-up, a message the pages already
     * brought, or a frame of an attempt that was given up (a socket whose {@code ready} came too late is aborted, and
     * the next attempt brings the same messages); false when the caller delivers it now.
     */
    synchronized boolean intercept(StreamConnection socket, StreamFrame frame, long receivedNanos) {
        if (!(frame instanceof StreamFrame.Message || frame instanceof StreamFrame.Changed)) {
            return false;
        }
        if (!done) {
            held.add(new Held(socket, frame, receivedNanos));
            return true;
        }
        if (socket != resumedOn) {
            return true;
        }
        if (broughtByPages(frame)) {
            deduplicated++;
            return true;
        }
        return false;
    }

    private boolean broughtByPages(StreamFrame frame) {
        return frame instanceof StreamFrame.Message(StreamFrame.DeliveredMessage m)
                && m.seq() <= caughtUp.getOrDefault(m.conversationId(), 0L);
    }

    /** Messages that both the pages and the socket brought, so far. */
    synchronized int deduplicated() {
        return deduplicated;
    }

    /**
     * Delivers the pages read ({@code caughtUp}: the highest seq they held, by conversation, already delivered by
     * the caller through {@code deliverPages}), then the frames held, skipping the messages the pages held.
     *
     */
    synchronized void finish(StreamConnection socket, Runnable deliverPages, Map<Long, Long> pagesUpTo,
                             Deliver deliver) {
        deliverPages.run();
        caughtUp = Map.copyOf(pagesUpTo);
        resumedOn = socket;
        for (Held h : held) {
            if (h.socket() != socket) {
                continue;
            }
            if (broughtByPages(h.frame())) {
                deduplicated++;
            } else {
                deliver.deliver(h.frame(), h.receivedNanos());
            }
        }
        held.clear();
        done = true;
    }

    /** Gives up on the catch-up (the stream could not be resumed, and is counted closed early): nothing is delivered. */
    synchronized void abandon() {
        held.clear();
        done = true;
    }
}
