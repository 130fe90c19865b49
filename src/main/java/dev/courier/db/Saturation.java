package dev.courier.db;

import java.util.Locale;

/**
 * What a lease held past the leak warning threshold is waiting for while the callback it was lent to still runs:
 * saturation, not a leak. The server is short of CPU or PostgreSQL is slow, and the lease returns when they catch up.
 */
public enum Saturation {

    /** Its thread is runnable: running, or waiting for a core (a virtual thread waiting for a carrier is runnable). */
    CPU,
    /** Its thread is inside a statement or the JDBC driver (a commit, a rollback): waiting for PostgreSQL. */
    DATABASE;

    /** The metric label and the word in log lines and alerts: {@code cpu}, {@code database}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
