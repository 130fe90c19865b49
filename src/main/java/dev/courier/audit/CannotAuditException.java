package dev.courier.audit;

/** The audit could not run at all (PostgreSQL unreachable, not a Courier database): {@code courier audit} exits 2. */
public final class CannotAuditException extends RuntimeException {

    public CannotAuditException(String message, Throwable cause) {
        super(message, cause);
    }
}
