package dev.courier.db;

import dev.courier.config.PoolConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Behind a pooler in transaction mode Courier cannot give its connections their statement, lock and
 * idle-in-transaction timeouts at startup (PgBouncer refuses the {@code options} parameter, and a {@code SET} would
 * stick to one server connection of many). They must be the defaults of the role or the database
 * ({@code ALTER ROLE ... SET}), which every server connection the pooler opens starts with and which {@code DISCARD
 * ALL} keeps. At start this reads them through the pooler and says loudly, with the statements that fix it, when they
 * are not what the pool is configured for.
 */
final class TransactionPoolingCheck {

    private static final Logger log = LoggerFactory.getLogger(TransactionPoolingCheck.class);

    private TransactionPoolingCheck() {
    }

    /** @return the settings that differ (empty when all hold, or when the database could not be asked) */
    static List<String> warnUnlessTimeoutsHold(DataSource dataSource, PoolConfig pool, String user) {
        Map<String, Long> wanted = Map.of(
                "statement_timeout", pool.statementTimeout().toMillis(),
                "lock_timeout", pool.lockTimeout().toMillis(),
                "idle_in_transaction_session_timeout", pool.idleInTransactionTimeout().toMillis());
        List<String> fixes = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, setting::bigint FROM pg_settings WHERE name IN "
                     + "('statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout')")) {
            while (rs.next()) {
                long want = wanted.get(rs.getString(1));
                if (rs.getLong(2) != want) {
                    fixes.add("ALTER ROLE " + (user == null ? "CURRENT_USER" : '"' + user + '"') + " SET "
                            + rs.getString(1) + " = '" + want + "ms';");
                }
            }
        } catch (SQLException e) {
            log.warn("transaction pooling: could not read the timeouts through the pooler ({}); they must be the "
                    + "role's defaults, see docs/scaling.md", e.getMessage());
            return List.of();
        }
        if (!fixes.isEmpty()) {
            log.warn("transaction pooling: the pool's timeouts are not the role's defaults, so stuck statements and "
                    + "transactions are not ended by PostgreSQL; run on PostgreSQL: {}", String.join(" ", fixes));
        }
        return fixes;
    }
}
