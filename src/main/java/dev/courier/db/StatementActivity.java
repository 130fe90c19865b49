package dev.courier.db;

import java.sql.PreparedStatement;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;

/**
 * Marks a lease as inside a statement from just before the statement executes until it has executed, so that the
 * leak sweep can tell a holder waiting for PostgreSQL from one that keeps its connection while doing nothing with it.
 * A statement that fails never reaches {@link #afterExecution}; Jdbi closes its context then, which ends the mark.
 *
 * <p>Installed before {@link AddedLatency}: fault injection's added latency stands for a slow database, and counts
 * as time inside the statement.
 */
final class StatementActivity implements StatementCustomizer {

    private final LeaseRegistry leases;

    StatementActivity(LeaseRegistry leases) {
        this.leases = leases;
    }

    @Override
    public void beforeExecution(PreparedStatement stmt, StatementContext ctx) {
        LeaseRegistry.Held held = leases.heldBy(ctx.getConnection());
        if (held != null) {
            held.statementStarted();
            ctx.addCleanable(held::statementEnded);
        }
    }

    @Override
    public void afterExecution(PreparedStatement stmt, StatementContext ctx) {
        LeaseRegistry.Held held = leases.heldBy(ctx.getConnection());
        if (held != null) {
            held.statementEnded();
        }
    }
}
