package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.SendFrame;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One user's socket sends not yet answered with an {@code ack} or {@code error}, in the order they went out. When the
 * server closes the stream (a node going away), these are sent again on the next one, as a client keeps its outbox:
 * their {@code clientMsgId} makes the repeat idempotent, so a send the old node stored is acknowledged with the same
 * message and seq. Thread-safe: sends go out on the pacer's threads and answers arrive on the sockets' thread.
 */
final class UnansweredSends {

    private final Map<String, SendFrame> byClientMsgId = new LinkedHashMap<>();

    synchronized void sent(SendFrame frame) {
        byClientMsgId.put(frame.clientMsgId(), frame);
    }

    synchronized void answered(String clientMsgId) {
        byClientMsgId.remove(clientMsgId);
    }

    /** The sends still waiting for an answer, oldest first. */
    synchronized List<SendFrame> waiting() {
        return List.copyOf(byClientMsgId.values());
    }
}
