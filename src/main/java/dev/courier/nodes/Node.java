package dev.courier.nodes;

import java.time.Instant;
import java.util.UUID;

/**
 * A node as its row shows it, with what PostgreSQL's clock makes of it.
 *
 * @param state         {@code alive} (heard from within {@link NodeRegistry#GONE_AFTER}), {@code gone} (quiet
 *                      longer: it died or cannot reach the database) or {@code stopped} (it said so on its way out)
 * @param quietMillis   since its last heartbeat, by PostgreSQL's clock
 * @param clockSkewMillis the node's clock minus PostgreSQL's at its last heartbeat (positive: the node is ahead)
 */
public record Node(UUID nodeId, String version, String address, Instant startedAt, Instant heartbeatAt,
                   Instant stoppedAt, String schemaVersion, String state, long quietMillis, long clockSkewMillis,
                   NodeSettings settings) {

    public static final String ALIVE = "alive";
    public static final String GONE = "gone";
    public static final String STOPPED = "stopped";

    public boolean alive() {
        return state.equals(ALIVE);
    }
}
