package dev.courier.loadtest.integrity;

/**
 * One stream connection in the {@link IntegrityLedger}. What it saw lives with each conversation (in
 * {@link ConversationLog}), keyed by this object's identity, under that conversation's lock.
 */
final class ConnectionLog {

    /** Written by the socket's thread when the server closes it, read by the checks on other threads. */
    private volatile boolean closedEarly;

    void closeEarly() {
        closedEarly = true;
    }

    boolean closedEarly() {
        return closedEarly;
    }
}
