package dev.courier.nodes;

import dev.courier.bus.BusListener;
import dev.courier.db.Database;
import dev.courier.events.DomainEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's row in {@code nodes}: written at start, refreshed every {@link #HEARTBEAT} with what the node
 * reports of itself, marked stopped on a clean shutdown. A node quiet for {@link #GONE_AFTER} is shown as gone.
 * Also records this node's receipt of each bus probe, which is how an audit sees the bus reach every node.
 */
public final class NodeRegistry implements BusListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);

    public static final Duration HEARTBEAT = Duration.ofSeconds(5);
    /** Six heartbeats missed: longer than a GC pause or a failover of PostgreSQL, short enough to matter. */
    public static final Duration GONE_AFTER = Duration.ofSeconds(30);

    private final Database db;
    private final LocalNode node;
    private final NodeStore store = new NodeStore();
    private volatile Thread worker;
    /** Where the node listens; known once the HTTP server has started. */
    private volatile String address;
    private final CountDownLatch stopping = new CountDownLatch(1);

    public NodeRegistry(Database db, LocalNode node) {
        this.db = db;
        this.node = node;
    }

    /** Registers the node, now that it listens at {@code address}, and starts the heartbeat. */
    public void start(String listensAt) {
        this.address = listensAt;
        try {
            heartbeat();
        } catch (RuntimeException e) {
            // the node still starts while the database is down; its row appears with the first heartbeat that works
            log.warn("nodes: could not register this node yet: {}", e.toString());
        }
        this.worker = Thread.ofPlatform().daemon().name("courier-node-heartbeat").start(this::beat);
    }

    public LocalNode node() {
        return node;
    }

    /** Every node row, alive ones first. */
    public List<Node> nodes() {
        return db.withHandle("nodes.list", h -> store.list(h, GONE_AFTER));
    }

    private void beat() {
        boolean failing = false;
        long round = 0;
        while (true) {
            try {
                if (stopping.await(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            try {
                heartbeat();
                if (++round % 720 == 0) { // once an hour
                    db.withHandle("nodes.forget", store::forgetLongGone);
                }
                if (failing) {
                    failing = false;
                    log.info("nodes: heartbeat written again");
                }
            } catch (RuntimeException e) {
                if (!failing) {
                    failing = true;
                    log.warn("nodes: heartbeat failed: {}; trying again every {} s", e.toString(),
                            HEARTBEAT.toSeconds());
                }
            }
        }
    }

    private void heartbeat() {
        NodeSettings settings = node.settings();
        db.inTransaction("nodes.heartbeat", h -> {
            NodeSettings reported = settings.withSession(store.sessionSettings(h), store.serverPort(h));
            // PostgreSQL's clock read between two readings of ours: ours at that instant is their midpoint, give or
            // take half the round trip (which a loaded machine can stretch to a second).
            Instant before = Instant.now();
            Instant databaseClock = store.databaseClock(h);
            Instant after = Instant.now();
            Duration roundTrip = Duration.between(before, after);
            store.heartbeat(h, node.id(), node.version(), address, node.startedAt(), databaseClock,
                    before.plus(roundTrip.dividedBy(2)), node.schemaVersion(),
                    reported.withClockUncertainty(roundTrip.dividedBy(2).toMillis()));
            return null;
        });
    }

    @Override
    public void onEvent(DomainEvent event) {
        if (event instanceof DomainEvent.BusProbe probe) {
            // not on the bus's delivery thread: a slow insert must not hold up the events behind it
            Thread.ofVirtual().name("courier-bus-probe").start(() -> {
                try {
                    db.withHandle("nodes.probe", h -> {
                        store.recordProbe(h, probe.probeId(), node.id());
                        return null;
                    });
                } catch (RuntimeException e) {
                    log.warn("nodes: could not record bus probe {}: {}", probe.probeId(), e.toString());
                }
            });
        }
    }

    @Override
    public void onMessageCommitted(long conversationId, long seq) {
    }

    @Override
    public void onMessageChangeCommitted(long conversationId, long changeSeq) {
    }

    @Override
    public void onPossibleLoss() {
    }

    /** Stops the heartbeat and says, in the row, that this node stopped on purpose. */
    @Override
    public void close() {
        stopping.countDown();
        if (worker == null) {
            return;
        }
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            db.withHandle("nodes.stopped", h -> {
                store.markStopped(h, node.id());
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("nodes: could not mark this node stopped: {}", e.toString());
        }
    }
}
