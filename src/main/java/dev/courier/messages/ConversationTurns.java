package dev.courier.messages;

import dev.courier.db.DatabaseBusyException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Changes to the messages of one conversation take turns on this node before they take a database connection. They
 * would queue in PostgreSQL anyway, on the conversation's change counter and often on one message's row (a storm of
 * reactions to one message of a busy group), each holding a pooled connection while it waits: enough of them would
 * hold every connection that requests share, and slow everything else the node does. Taking turns here, at most one
 * connection per conversation waits on those locks; the rest wait without one, and only as long as a request may wait
 * for a connection ({@code --pool-acquire-timeout}), past which the change is refused {@code 503 overloaded}.
 *
 * <p>Conversations share a fixed set of locks by id, so memory stays constant; two conversations that share one take
 * turns with each other too, which costs little next to a database round trip.
 */
final class ConversationTurns {

    private static final int STRIPES = 1024; // a power of two

    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final long waitNanos;

    ConversationTurns(Duration longestWait) {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
        this.waitNanos = longestWait.toNanos();
    }

    /** Runs {@code change} in the conversation's turn. */
    <T> T inTurn(long conversationId, Supplier<T> change) {
        ReentrantLock lock = locks[stripe(conversationId)];
        try {
            if (!lock.tryLock(waitNanos, TimeUnit.NANOSECONDS)) {
                throw new DatabaseBusyException("too many changes to this conversation at once");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseBusyException("interrupted while waiting to change a message");
        }
        try {
            return change.get();
        } finally {
            lock.unlock();
        }
    }

    private static int stripe(long conversationId) {
        long h = conversationId * 0x9E3779B97F4A7C15L; // spreads consecutive ids over the stripes
        return (int) (h >>> 54) & (STRIPES - 1);
    }
}
