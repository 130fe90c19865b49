package dev.courier.ops;

import dev.courier.db.Database;
import io.javalin.config.RoutesConfig;
import java.util.List;

/** {@code GET /v1/admin/pool}: who holds database connections right now, and the leaks seen so far. */
public final class PoolRoutes {

    /** The contract's body. */
    record PoolView(int active, int idle, int pending, int max, List<LeaseView> leases, long suspectedLeaks,
                    long reclaimedLeaks) {
    }

    record LeaseView(String callSite, long heldMs, String thread) {
    }

    private final Database database;

    public PoolRoutes(Database database) {
        this.database = database;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/admin/pool", ctx -> ctx.json(view(database.pool())));
    }

    static PoolView view(Database.PoolSnapshot pool) {
        long now = System.nanoTime();
        return new PoolView(pool.active(), pool.idle(), pool.pending(), pool.max(), pool.leases().stream()
                .map(l -> new LeaseView(l.callSite(), l.heldMillis(now), l.thread())).toList(),
                pool.suspectedLeaks(), pool.reclaimedLeaks());
    }
}
