package dev.courier.db;

import java.sql.SQLException;

/** Recognises a failure caused by a unique constraint (SQLSTATE 23505), for callers that resolve such a race. */
public final class UniqueViolation {

    private static final String STATE = "23505";

    private UniqueViolation() {
    }

    public static boolean causedBy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && STATE.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
