package dev.courier.db;

/** PostgreSQL cannot be reached. Callers answer {@code 503 unavailable}. Carries no stack trace. */
public final class DatabaseUnavailableException extends RuntimeException {

    public DatabaseUnavailableException(String message) {
        super(message, null, false, false);
    }
}
