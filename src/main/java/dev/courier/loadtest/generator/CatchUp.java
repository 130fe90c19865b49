package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.StreamFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A resumed stream's catch-up, as a client does it after a reconnect: the {@code message} frames the new socket brings
 * wait while the pages after the last seq seen are read; then the pages are delivered, and of the waiting frames only
 * those beyond what the pages held, since a message committed around the reconnect is in both. Frames that carry no
 * message (acks, errors, typing) pass at once. Guarded by its own monitor: frames come on the sockets' thread, the
 * pages on the thread that reads them.
 */
final class CatchUp {

    /** What the intake does with a frame; the resumed stream's own intake. */
    interface Deliver {
        void deliver(StreamFrame frame, long receivedNanos);
    }

    private record Held(StreamFrame frame, long receivedNanos) {
    }

    private final List<Held> held = new ArrayList<>();
    private boolean done;

    /** True when the frame was kept to be delivered after the catch-up; false when the caller delivers it now. */
    synchronized boolean hold(StreamFrame frame, long receivedNanos) {
        if (done || !(frame instanceof StreamFrame.Message || frame instanceof StreamFrame.Changed)) {
            return false;
        }
        held.add(new Held(frame, receivedNanos));
        return true;
    }

    /**
     * Delivers the pages read ({@code caughtUp}: the highest seq they held, by conversation, already delivered by
     * the caller through {@code deliverPages}), then the frames held, skipping the messages the pages held.
     *
     * @return the messages that came twice (pages and socket), de-duplicated as the contract tells a client to
     */
    synchronized int finish(Runnable deliverPages, Map<Long, Long> caughtUp, Deliver deliver) {
        deliverPages.run();
        int deduplicated = 0;
        for (Held h : held) {
            if (h.frame() instanceof StreamFrame.Message(StreamFrame.DeliveredMessage m)
                    && m.seq() <= caughtUp.getOrDefault(m.conversationId(), 0L)) {
                deduplicated++;
                continue;
            }
            deliver.deliver(h.frame(), h.receivedNanos());
        }
        held.clear();
        done = true;
        return deduplicated;
    }

    /** Gives up on the catch-up (the stream could not be resumed): what was held is delivered as it came. */
    synchronized void abandon(Deliver deliver) {
        finish(() -> { }, new HashMap<>(), deliver);
    }
}
