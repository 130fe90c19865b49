package dev.courier.presence;

import dev.courier.config.PresenceConfig;
import dev.courier.db.Database;
import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's side of presence. The node holds a lease in {@code presence_nodes}, renewed every third of a lease,
 * and a row in {@code presence_streams} for each user with an open stream here. A user is online while any node
 * holds such a row: the user's first stream in the fleet makes it so, and the last one's leaving, after the grace,
 * ends it. Every third of a lease the node also sweeps the leases of the other nodes that ran out (a node that died
 * without closing) and their rows. Each change of a user's presence is committed in {@code user_presence}
 * ({@link PresenceStore#settle}) and then announced as a {@link DomainEvent.PresenceChanged} on the bus.
 *
 * <p>The stream hub's notices only touch memory; one worker thread does the database work, in batches, so that
 * a node that starts under a crowd of reconnecting clients writes a few statements rather than one per user. A
 * reconnect within the grace, to this node or another, changes nothing anyone sees.
 */
public final class PresenceTracker implements StreamPresence, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceTracker.class);

    /** Users joined or left per transaction, so that none holds thousands of row locks at once. */
    private static final int MAX_BATCH = 1_000;
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A user with a stream on this node, or within the grace after its last one closed. Guarded by {@code lock}. */
    private static final class Local {
        boolean open;
        /** Whether this node's stream row for the user is committed. */
        boolean joined;
        /** When the last stream closed; meaningful while not open. */
        Instant closedAt;
    }

    /** What the worker is to do next. */
    private record Due(List<Long> joins, Map<Long, Instant> leaves) {
        boolean isEmpty() {
            return joins.isEmpty() && leaves.isEmpty();
        }
    }

    private final Database db;
    private final PresenceStore store = new PresenceStore();
    private final EventSink events;
    private final PresenceConfig config;
    /** This node's lease; a new one after the last ran out. Written only by the worker (and the constructor). */
    private volatile UUID node = UUID.randomUUID();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Long, Local> local = new HashMap<>();
    private final Counter cameOnline;
    private final Counter wentOffline;
    private final Counter leasesLost;
    private final Thread worker;
    private volatile boolean running = true;

    public PresenceTracker(Database db, EventSink events, PresenceConfig config, MeterRegistry meters) {
        this.db = db;
        this.events = events;
        this.config = config;
        this.cameOnline = Counter.builder(MetricNames.PRESENCE_CHANGES).tag("online", "true")
                .description("users this node announced online or offline").register(meters);
        this.wentOffline = Counter.builder(MetricNames.PRESENCE_CHANGES).tag("online", "false")
                .description("users this node announced online or offline").register(meters);
        this.leasesLost = Counter.builder(MetricNames.PRESENCE_LEASES_LOST)
                .description("times this node found its presence lease swept (taken for dead) and registered again")
                .register(meters);
        Gauge.builder(MetricNames.PRESENCE_LOCAL_USERS, this, PresenceTracker::localUsers)
                .description("users with an open stream on this node, or within the grace after their last")
                .register(meters);
        register();
        this.worker = Thread.ofPlatform().daemon().name("courier-presence").start(this::work);
    }

    @Override
    public void firstStreamOpened(long userId) {
        lock.lock();
        try {
            local.computeIfAbsent(userId, k -> new Local()).open = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void lastStreamClosed(long userId) {
        lock.lock();
        try {
            Local user = local.get(userId);
            if (user != null) {
                user.open = false;
                user.closedAt = Instant.now();
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<UserPresence> current(Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        return db.withHandle("presence.current", h -> store.current(h, userIds));
    }

    private int localUsers() {
        lock.lock();
        try {
            return local.size();
        } finally {
            lock.unlock();
        }
    }

    // ---- the worker

    private void work() {
        long renewEvery = config.renewEvery().toNanos();
        long nextRenewal = System.nanoTime() + renewEvery;
        // Half-way between two renewals: a node's sweep never waits behind its own renewal.
        long nextSweep = System.nanoTime() + renewEvery / 2;
        boolean failing = false;
        while (running) {
            try {
                Due due = awaitWork(Math.min(nextRenewal, nextSweep));
                if (due == null) {
                    return;
                }
                join(due.joins());
                leave(due.leaves());
                if (System.nanoTime() - nextRenewal >= 0) {
                    renewLease();
                    nextRenewal = System.nanoTime() + renewEvery;
                }
                if (System.nanoTime() - nextSweep >= 0) {
                    sweep();
                    nextSweep = System.nanoTime() + renewEvery;
                }
                if (failing) {
                    failing = false;
                    log.info("presence: the database answers again");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The database is down or busy: what is due stays due, and the next round tries again. Said once,
                // not every second of an outage.
                if (!failing) {
                    failing = true;
                    log.warn("presence: {}; trying again every second", e.toString());
                }
                try {
                    pause(System.nanoTime() + RETRY_NANOS);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Waits until there is something to join or leave, or until {@code deadline} (nanoTime) passes; null once the
     * tracker closes.
     */
    private Due awaitWork(long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (running) {
                Instant now = Instant.now();
                List<Long> joins = new ArrayList<>();
                Map<Long, Instant> leaves = new HashMap<>();
                Instant nextLeave = null;
                for (var it = local.entrySet().iterator(); it.hasNext(); ) {
                    var entry = it.next();
                    Local user = entry.getValue();
                    if (user.open && !user.joined) {
                        joins.add(entry.getKey());
                    } else if (!user.open && !user.joined) {
                        it.remove(); // gone before anyone was told: nothing to undo
                    } else if (!user.open) {
                        Instant leaveAt = user.closedAt.plus(config.grace());
                        if (!leaveAt.isAfter(now)) {
                            leaves.put(entry.getKey(), user.closedAt);
                        } else if (nextLeave == null || leaveAt.isBefore(nextLeave)) {
                            nextLeave = leaveAt;
                        }
                    }
                }
                long waitNanos = deadline - System.nanoTime();
                if (nextLeave != null) {
                    waitNanos = Math.min(waitNanos, Duration.between(now, nextLeave).toNanos());
                }
                if (!joins.isEmpty() || !leaves.isEmpty() || waitNanos <= 0) {
                    return new Due(joins, leaves);
                }
                changed.awaitNanos(waitNanos);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code until} (nanoTime), or less once the tracker closes. */
    private void pause(long until) throws InterruptedException {
        lock.lock();
        try {
            long left;
            while (running && (left = until - System.nanoTime()) > 0) {
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void join(List<Long> users) {
        for (List<Long> batch : batches(users)) {
            Map<Long, Instant> now = new HashMap<>();
            batch.forEach(u -> now.put(u, Instant.now()));
            List<Long> online = db.inTransaction("presence.join", h -> {
                if (!store.holdLease(h, node)) {
                    return null;
                }
                store.addStreams(h, node, batch);
                return store.settle(h, now);
            });
            if (online == null) {
                registerAgain();
                return;
            }
            lock.lock();
            try {
                for (long userId : batch) {
                    Local user = local.get(userId);
                    if (user != null) {
                        user.joined = true;
                    }
                }
            } finally {
                lock.unlock();
            }
            cameOnline.increment(online.size());
            announce(online);
        }
    }

    private void leave(Map<Long, Instant> users) {
        for (List<Long> batch : batches(users.keySet())) {
            Map<Long, Instant> closedAt = new HashMap<>();
            batch.forEach(u -> closedAt.put(u, users.get(u)));
            List<Long> offline = db.inTransaction("presence.leave", h -> {
                store.removeStreams(h, node, batch);
                return store.settle(h, closedAt);
            });
            lock.lock();
            try {
                for (long userId : batch) {
                    Local user = local.get(userId);
                    if (user != null && user.open) {
                        user.joined = false; // back meanwhile: joined again next round
                    } else {
                        local.remove(userId);
                    }
                }
            } finally {
                lock.unlock();
            }
            wentOffline.increment(offline.size());
            announce(offline);
        }
    }

    private void renewLease() {
        if (!db.withHandle("presence.renew", h -> store.renew(h, node, config.lease()))) {
            registerAgain();
        }
    }

    /**
     * This node's lease ran out (it could not renew it in time: a pause, a partition), so the others take it for dead
     * and sweep its streams, if they have not yet. It takes a new lease and joins its users again under it; those who
     * went offline meanwhile come back online, and those not yet swept see nothing.
     */
    private void registerAgain() {
        leasesLost.increment();
        log.warn("presence: this node's lease had run out; registering again with its users");
        node = UUID.randomUUID();
        register();
        lock.lock();
        try {
            local.values().forEach(user -> user.joined = false);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private void register() {
        db.inTransaction("presence.register", h -> {
            store.register(h, node, config.lease());
            return null;
        });
    }

    /** Takes the users of nodes whose lease ran out offline, and anyone online whom no node holds a stream of. */
    private void sweep() {
        Map<Long, Instant> lastSeen = new HashMap<>(db.inTransaction("presence.sweep", store::sweepExpiredLeases));
        Instant now = Instant.now();
        db.withHandle("presence.stray", store::onlineWithoutStreams).forEach(u -> lastSeen.putIfAbsent(u, now));
        for (List<Long> batch : batches(lastSeen.keySet())) {
            Map<Long, Instant> seen = new HashMap<>();
            batch.forEach(u -> seen.put(u, lastSeen.get(u)));
            List<Long> offline = db.inTransaction("presence.settle", h -> store.settle(h, seen));
            wentOffline.increment(offline.size());
            announce(offline);
        }
    }

    private void announce(List<Long> users) {
        for (int from = 0; from < users.size(); from += DomainEvent.PresenceChanged.MAX_USERS) {
            events.publish(new DomainEvent.PresenceChanged(
                    users.subList(from, Math.min(users.size(), from + DomainEvent.PresenceChanged.MAX_USERS))));
        }
    }

    private static List<List<Long>> batches(Collection<Long> users) {
        List<Long> all = List.copyOf(users);
        List<List<Long>> batches = new ArrayList<>();
        for (int from = 0; from < all.size(); from += MAX_BATCH) {
            batches.add(all.subList(from, Math.min(all.size(), from + MAX_BATCH)));
        }
        return batches;
    }

    /**
     * Stops the worker and lets the lease run out after the grace, as if each of this node's streams had just closed:
     * clients reconnecting to the other nodes within it show nothing, and whoever does not come back goes offline
     * when another node sweeps the lease.
     */
    @Override
    public void close() {
        running = false;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            db.withHandle("presence.close", h -> store.renew(h, node, config.grace()));
        } catch (RuntimeException e) {
            log.warn("presence: could not shorten this node's lease on the way out: {}", e.toString());
        }
    }
}
