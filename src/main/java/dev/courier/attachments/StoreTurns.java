package dev.courier.attachments;

import dev.courier.db.DatabaseBusyException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Uploads take turns to store what they spooled: at most {@code turns} transactions of uploads hold a connection at
 * once on this node, the rest wait for a turn without one. Storing 25 MiB holds its connection for a hundred
 * statements; twenty uploads finishing together would otherwise hold every connection of the pool and leave the
 * sends and every other request to be refused {@code overloaded}, and refuse most of the uploads too, each after its
 * client sent the whole file. Waiting costs a spooled file on disk and a parked virtual thread, so an upload waits
 * for its turn up to {@code longestWait}; past it the upload is refused {@code 503 overloaded}.
 */
final class StoreTurns {

    private final Semaphore turns;
    private final long waitNanos;

    StoreTurns(int turns, Duration longestWait) {
        this.turns = new Semaphore(turns, true);
        this.waitNanos = longestWait.toNanos();
    }

    <T> T inTurn(Supplier<T> store) {
        try {
            if (!turns.tryAcquire(waitNanos, TimeUnit.NANOSECONDS)) {
                throw new DatabaseBusyException("too many uploads are being stored at once");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseBusyException("interrupted while waiting to store an upload");
        }
        try {
            return store.get();
        } finally {
            turns.release();
        }
    }
}
