package dev.courier.ops;

import dev.courier.db.Database;
import java.util.LinkedHashMap;
import java.util.Map;

/** Readiness: is the database reachable, and is the pool able to lend a connection. */
public final class Health {

    /** The body of {@code /health/ready}. */
    public record Report(String status, Map<String, Check> checks) {

        public boolean up() {
            return "up".equals(status);
        }
    }

    /** One named check; {@code detail} says why it is down, or gives figures. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record Check(String status, String detail) {
    }

    private final Database db;

    public Health(Database db) {
        this.db = db;
    }

    public Report ready() {
        Map<String, Check> checks = new LinkedHashMap<>();
        Database.PoolSnapshot pool = db.pool();
        boolean exhausted = pool.exhausted();
        // With every connection busy and callers waiting, a ping would only queue behind them: report the pool.
        boolean reachable = !exhausted && db.ping();
        String unreachable = db.unreachableReason();
        checks.put("database", reachable || exhausted ? new Check("up", null)
                : new Check("down", unreachable != null ? "PostgreSQL is unreachable: " + unreachable
                : "PostgreSQL does not answer"));
        checks.put("pool", new Check(exhausted ? "down" : "up", "active " + pool.active() + ", idle " + pool.idle()
                + ", pending " + pool.pending() + ", max " + pool.max()));
        boolean up = checks.values().stream().allMatch(c -> c.status().equals("up"));
        return new Report(up ? "up" : "down", checks);
    }
}
