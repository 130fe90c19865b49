package dev.courier.db;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;

/** Fault injection's added query latency: sleeps before every statement while the connection is held. */
final class AddedLatency implements StatementCustomizer {

    private final LongSupplier millis;

    AddedLatency(LongSupplier millis) {
        this.millis = millis;
    }

    @Override
    public void beforeExecution(PreparedStatement stmt, StatementContext ctx) throws SQLException {
        long delay = millis.getAsLong();
        if (delay <= 0) {
            return;
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted during injected query latency", "57014", e);
        }
    }
}
