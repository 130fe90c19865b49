package dev.courier.ops;

import dev.courier.db.Database;
import dev.courier.warmup.Warmup;
import dev.courier.web.Draining;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Readiness: has the node finished its start-up warm-up, is it taking work (not draining), is the database reachable,
 * and is the pool able to lend a connection.
 */
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
    private final Draining draining;
    private final Warmup warmup;

    public Health(Database db, Draining draining, Warmup warmup) {
        this.db = db;
        this.draining = draining;
        this.warmup = warmup;
    }

    public Report ready() {
        Map<String, Check> checks = new LinkedHashMap<>();
        // First and without a query: a balancer must stop sending here at its next probe, whatever the database does.
        if (draining.draining()) {
            checks.put("node", new Check("down", "stopping: new requests and streams go to other nodes"));
            return new Report("down", checks);
        }
        // The warm-up holds every pooled connection for a moment: a balancer waits for it to finish.
        if (!warmup.finished()) {
            checks.put("node", new Check("down", "starting: warming up"));
            return new Report("down", checks);
        }
        Database.PoolSnapshot pool = db.pool();
        boolean exhausted = pool.exhausted();
        // With every connection busy and callers waiting, a ping would only queue behind them: report the pool.
        if (exhausted) {
            checks.put("database", new Check("up", "not probed: every connection is busy"));
        } else {
            long start = System.nanoTime();
            boolean reachable = db.ping();
            long millis = (System.nanoTime() - start) / 1_000_000;
            String unreachable = db.unreachableReason();
            checks.put("database", reachable ? new Check("up", "PostgreSQL answered in " + millis + " ms")
                    : new Check("down", unreachable != null ? "PostgreSQL is unreachable: " + unreachable
                    : "PostgreSQL does not answer"));
        }
        String figures = "active " + pool.active() + ", idle " + pool.idle() + ", pending " + pool.pending()
                + ", max " + pool.max();
        checks.put("pool", exhausted
                ? new Check("down", "exhausted: " + figures + holder(pool))
                : new Check("up", figures));
        boolean up = checks.values().stream().allMatch(c -> c.status().equals("up"));
        return new Report(up ? "up" : "down", checks);
    }

    /** The call site holding most connections, so that a failing readiness probe already names a suspect. */
    private static String holder(Database.PoolSnapshot pool) {
        return pool.leases().stream().collect(java.util.stream.Collectors.groupingBy(
                        dev.courier.db.HeldLease::callSite, java.util.stream.Collectors.counting()))
                .entrySet().stream().max(Map.Entry.comparingByValue())
                .map(e -> "; " + e.getKey() + " holds " + e.getValue()).orElse("");
    }
}
