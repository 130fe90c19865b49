package dev.courier.ops;

import dev.courier.db.Database;
import dev.courier.db.HeldLease;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import java.util.List;

/** {@code GET /v1/admin/pool}: who holds database connections right now, and the leaks seen so far. */
public final class PoolRoutes {

    /** The contract's body. */
    record PoolView(int active, int idle, int pending, int max, List<LeaseView> leases, long suspectedLeaks,
                    long reclaimedLeaks) {
    }

    /**
     * {@code verdict}: what the leak sweep made of the lease: {@code leak}, {@code waiting_for_cpu} or
     * {@code waiting_for_database} (held past the warning threshold by work still running: saturation), or
     * {@code none}.
     */
    record LeaseView(String callSite, long heldMs, String thread, boolean inStatement, String verdict) {

        static LeaseView of(HeldLease held, long nowNanos) {
            String verdict = held.leaking() ? "leak"
                    : held.saturation() == null ? "none" : "waiting_for_" + held.saturation().label();
            return new LeaseView(held.callSite(), held.heldMillis(nowNanos), held.lease().thread(), held.inStatement(),
                    verdict);
        }
    }

    private final Database database;

    public PoolRoutes(Database database) {
        this.database = database;
    }

    public void register(Routes routes) {
        routes.get("/v1/admin/pool", RoutePolicy.admin(), ctx -> ctx.json(view(database.pool())));
    }

    static PoolView view(Database.PoolSnapshot pool) {
        long now = System.nanoTime();
        return new PoolView(pool.active(), pool.idle(), pool.pending(), pool.max(), pool.leases().stream()
                .map(l -> LeaseView.of(l, now)).toList(),
                pool.suspectedLeaks(), pool.reclaimedLeaks());
    }
}
