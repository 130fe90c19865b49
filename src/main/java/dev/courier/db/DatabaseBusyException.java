package dev.courier.db;

/**
 * The database is reachable but cannot take this work now: no connection within the acquisition deadline, a
 * statement or lock timeout. Callers answer {@code 503 overloaded}. Thrown on the hot path by design, so it
 * carries no stack trace.
 */
public final class DatabaseBusyException extends RuntimeException {

    public DatabaseBusyException(String message) {
        super(message, null, false, false);
    }
}
