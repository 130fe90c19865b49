package dev.courier.loadtest.integrity;

/**
 * One stream connection in the {@link IntegrityLedger}. What it saw lives with each conversation (in
 * {@link ConversationLog}), keyed by this object's identity, under that conversation's lock.
 */
final class ConnectionLog {

    /** Written by the socket's thread when the server closes it, read by the checks on other threads. */
    private volatile boolean closedEarly;
    /** Opened or closed by the run itself, mid-run: a reconnect it makes on purpose. */
    private volatile boolean reconnected;
    /**
     * Resumed on a new socket after the server closed the old one (a node going away): its messages are held to
     * delivery across the gap, which the catch-up fills, but its changes are not (the catch-up reads messages only).
     */
    private volatile boolean resumed;

    void closeEarly() {
        closedEarly = true;
    }

    boolean closedEarly() {
        return closedEarly;
    }

    void reconnected() {
        reconnected = true;
    }

    void resumed() {
        resumed = true;
    }

    /** Whether the connection must have seen every change: one open for the whole run, on one socket. */
    boolean heldToChanges() {
        return heldToDelivery() && !resumed;
    }

    /**
     * Whether the connection must have seen every message: one open for the whole run. What a connection saw is
     * checked for duplicates and order either way.
     */
    boolean heldToDelivery() {
        return !closedEarly && !reconnected;
    }
}
