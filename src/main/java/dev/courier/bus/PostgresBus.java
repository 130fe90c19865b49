package dev.courier.bus;

import dev.courier.db.Database;
import dev.courier.db.DatabaseTarget;
import dev.courier.db.NotificationListener;
import dev.courier.events.DomainEvent;
import dev.courier.messages.AnnouncementSource;
import dev.courier.messages.MessageAnnouncement;
import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out through PostgreSQL's LISTEN/NOTIFY: needs nothing beyond the database. Stored messages are announced by
 * the statement that stores them ({@code append_messages}, told how by {@link #messageAnnouncement()}), in their own
 * transaction and a batch at a time (one notification per 7,900 bytes); this bus never sends them itself. Their
 * payloads are written by {@code message_announcements} (R__append_messages.sql) in {@link BusCodec}'s batch shape,
 * and decoded here by the codec like every other payload. A node alone on the database does not announce them at all
 * (see {@link #messageAnnouncement()}). The other events are published asynchronously: one thread drains a bounded queue and sends what has gathered with one
 * {@code pg_notify} statement, in order, so a burst costs one pooled connection for a moment instead of one per event.
 * Receiving uses a dedicated connection ({@link NotificationListener}). Payloads stay under PostgreSQL's 8,000-byte
 * limit: a message whose body does not fit travels as a reference, and the receivers read its row. A changed message
 * that does not fit is stored whole in {@code bus_payloads}, in the transaction of the notification that names it,
 * because its row may show a later change by the time a receiver reads it, and every change must reach the streams
 * (docs/stream.md); the receivers read the stored payload, and the rows are deleted minutes later.
 */
public final class PostgresBus implements EventBus, AnnouncementSource {

    private static final Logger log = LoggerFactory.getLogger(PostgresBus.class);

    static final String CHANNEL = "courier_events";
    /**
     * PostgreSQL's limit is 8,000 bytes including the channel name; leave room. {@code message_announcements}
     * (R__append_messages.sql) keeps the payloads it writes under the same limit, and StoredMessagePayloadTest holds
     * the two together.
     */
    static final int MAX_PAYLOAD_BYTES = 7_900;
    private static final int QUEUE_CAPACITY = 50_000;
    private static final int MAX_BATCH = 500;
    /** A stored payload is read within moments of its notification; a receiver away longer catches up from tables. */
    private static final Duration STORED_PAYLOAD_LIFETIME = Duration.ofMinutes(5);

    /**
     * An event on its way out: its payload, with its kind for the counts, or, when {@code stored} is set, the change to
     * store whole.
     */
    private record Outgoing(String payload, EventCounts.Kind kind, DomainEvent.MessageChanged stored) {
    }

    private final Database db;
    private final DatabaseTarget target;
    private final MeterRegistry meters;
    private final BusCodec codec = new BusCodec(MAX_PAYLOAD_BYTES);
    private final MessageAnnouncement announcement = new MessageAnnouncement(CHANNEL, codec.origin());
    private final BlockingQueue<Outgoing> outbox = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    /** When the publisher last deleted stored payloads past their lifetime; its thread alone reads and writes it. */
    private long lastPruneNanos = System.nanoTime();
    /** This node's payloads that a publisher waits to hear come back ({@link #publishAndAwaitCarried}). */
    private final ConcurrentHashMap<String, CountDownLatch> awaitedEchoes = new ConcurrentHashMap<>();
    private final EventCounts published;
    private final EventCounts received;
    private final EventCounts dropped;
    private final Thread publisher;
    private volatile NotificationListener listener;

    public PostgresBus(Database db, DatabaseTarget target, MeterRegistry meters) {
        this.db = db;
        this.target = target;
        this.meters = meters;
        this.published = new EventCounts(meters, MetricNames.BUS_EVENTS_PUBLISHED,
                "committed events published to the other nodes", "postgres");
        this.received = new EventCounts(meters, MetricNames.BUS_EVENTS_RECEIVED, "events heard from the other nodes",
                "postgres");
        this.dropped = new EventCounts(meters, MetricNames.BUS_EVENTS_DROPPED,
                "events not sent to the bus (queue full or database failure); receivers catch up from the table",
                "postgres");
        // A platform thread, like the message writers: its connection is held only while it gets CPU time.
        this.publisher = Thread.ofPlatform().daemon().name("courier-notify").start(this::drainOutbox);
    }

    /**
     * What {@code append_messages} needs to announce the next batch's messages: this bus's channel and its origin for
     * the payloads; null while no other node listens. Announcing to nobody would cost every batch a payload built in
     * SQL, a queue entry and a wake-up of this node's own listener, and a notifying commit takes a lock that makes
     * all of them commit one at a time. A node that joins is seen within a second ({@link NotificationListener});
     * what is stored meanwhile reaches its streams through the stream hub's catch-up from the table, at most a few
     * seconds late. While the count is unknown (the listener is down, or the node is starting) every batch is announced.
     */
    @Override
    public MessageAnnouncement messageAnnouncement() {
        return othersListen() ? announcement : null;
    }

    private boolean othersListen() {
        NotificationListener l = listener;
        return l == null || l.otherListeners() != 0;
    }

    @Override
    public void publish(DomainEvent event) {
        if (event instanceof DomainEvent.MessageStored) {
            if (othersListen()) {
                published.count(event); // announced with its commit already
            }
            return;
        }
        if (event instanceof DomainEvent.Typing && !othersListen()) {
            return; // nobody else to tell, and nothing to catch up from later: a notification would be pure cost
        }
        EventCounts.Kind kind = EventCounts.Kind.of(event);
        byte[] whole = codec.encodeWhole(event);
        if (whole.length <= MAX_PAYLOAD_BYTES) {
            enqueue(new Outgoing(new String(whole, StandardCharsets.UTF_8), kind, null));
        } else if (event instanceof DomainEvent.MessageChanged changed) {
            enqueue(new Outgoing(new String(whole, StandardCharsets.UTF_8), kind, changed));
        } else {
            enqueue(new Outgoing(new String(codec.encode(event), StandardCharsets.UTF_8), kind, null));
        }
    }

    /**
     * Confirmed when this node's own listener hears the notification come back: PostgreSQL has then committed it and
     * handed it to every listening session, the other nodes' included.
     */
    @Override
    public boolean publishAndAwaitCarried(DomainEvent event, Duration atMost) {
        NotificationListener l = listener;
        if (l == null || !l.connected()) {
            publish(event);
            return false; // no echo could come back
        }
        if (event instanceof DomainEvent.MessageStored || l.otherListeners() == 0) {
            publish(event);
            return true; // announced by its own commit, or nobody else to tell
        }
        String payload = new String(codec.encode(event), StandardCharsets.UTF_8);
        // Registered before the payload is queued: its echo may come back before this thread runs again.
        CountDownLatch echo = awaitedEchoes.computeIfAbsent(payload, p -> new CountDownLatch(1));
        try {
            return enqueue(new Outgoing(payload, EventCounts.Kind.of(event), null))
                    && echo.await(atMost.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            awaitedEchoes.remove(payload, echo);
        }
    }

    private boolean enqueue(Outgoing outgoing) {
        if (outbox.offer(outgoing)) {
            return true;
        }
        dropped.count(outgoing.kind(), 1);
        return false;
    }

    /** Delivers the other nodes' events; every listener on the channel hears this node's too, and skips them. */
    @Override
    public void subscribe(BusListener busListener) {
        listener = NotificationListener.start(target, CHANNEL, payload -> {
            byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
            if (codec.isOwn(bytes)) {
                wakeWhoAwaits(payload);
            } else {
                BusCodec.Decoded decoded = readStored(codec.decode(bytes));
                BusCodec.deliver(decoded, busListener);
                received.count(decoded);
            }
        }, busListener::onPossibleLoss, meters);
    }

    /**
     * The stored whole payload a notification names, decoded; as it came when it is no stored payload, or when its
     * row is gone (then it stands for its change, read from the messages by the listener).
     */
    private BusCodec.Decoded readStored(BusCodec.Decoded decoded) {
        if (!(decoded instanceof BusCodec.Decoded.StoredPayload stored)) {
            return decoded;
        }
        try {
            return db.withHandle("bus.storedPayload", h -> h.createQuery("SELECT payload FROM bus_payloads WHERE id = :id")
                            .bind("id", stored.id())
                            .mapTo(String.class)
                            .findOne())
                    .map(payload -> codec.decode(payload.getBytes(StandardCharsets.UTF_8)))
                    .orElse(decoded);
        } catch (RuntimeException e) {
            log.warn("could not read stored bus payload {}: {}; its change is read from the messages", stored.id(),
                    e.toString());
            return decoded;
        }
    }

    /** A payload of this node came back; nearly always nobody waits, and then a large one is not even hashed. */
    private void wakeWhoAwaits(String ownPayload) {
        if (!awaitedEchoes.isEmpty()) {
            CountDownLatch echo = awaitedEchoes.remove(ownPayload);
            if (echo != null) {
                echo.countDown();
            }
        }
    }

    @Override
    public String describe() {
        return "postgres";
    }

    @Override
    public BusLink link() {
        NotificationListener l = listener;
        if (l == null) {
            return BusLink.up(describe(), true);
        }
        return l.downSince().map(since -> new BusLink(describe(), true, false, since, l.downReason()))
                .orElseGet(() -> BusLink.up(describe(), true));
    }

    private void drainOutbox() {
        List<Outgoing> batch = new ArrayList<>(MAX_BATCH);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                batch.add(outbox.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            outbox.drainTo(batch, MAX_BATCH - 1);
            try {
                // One transaction keeps the notifications in the batch's order, stored payloads among them.
                db.inTransaction("bus.notify", h -> {
                    notifyInOrder(h, batch);
                    return null;
                });
                batch.forEach(sent -> published.count(sent.kind(), 1));
            } catch (RuntimeException e) {
                batch.forEach(lost -> dropped.count(lost.kind(), 1));
                log.warn("could not publish {} events: {}; receivers catch up from the table", batch.size(), e.toString());
            }
            batch.clear();
        }
    }

    /** Sends the batch's notifications in order: runs of plain payloads with one statement each. */
    private void notifyInOrder(Handle h, List<Outgoing> batch) {
        List<String> plain = new ArrayList<>();
        for (Outgoing outgoing : batch) {
            if (outgoing.stored() == null) {
                plain.add(outgoing.payload());
                continue;
            }
            notifyAll(h, plain);
            plain.clear();
            long id = h.createQuery("INSERT INTO bus_payloads (payload) VALUES (:payload) RETURNING id")
                    .bind("payload", outgoing.payload())
                    .mapTo(Long.class)
                    .one();
            notifyAll(h, List.of(new String(codec.encodeStored(id, outgoing.stored()), StandardCharsets.UTF_8)));
            pruneStoredPayloads(h);
        }
        notifyAll(h, plain);
    }

    private static void notifyAll(Handle h, List<String> payloads) {
        if (payloads.isEmpty()) {
            return;
        }
        // pg_notify runs once per row, in array order
        h.createQuery("SELECT count(pg_notify(:channel, p)) FROM unnest(:payloads::text[]) WITH ORDINALITY AS t(p, i)")
                .bind("channel", CHANNEL)
                .bindArray("payloads", String.class, payloads)
                .mapTo(Long.class)
                .one();
    }

    /** Deletes stored payloads past their lifetime, at most once a minute, while payloads are being stored. */
    private void pruneStoredPayloads(Handle h) {
        long now = System.nanoTime();
        if (now - lastPruneNanos < TimeUnit.MINUTES.toNanos(1)) {
            return;
        }
        lastPruneNanos = now;
        h.createUpdate("DELETE FROM bus_payloads WHERE created_at < now() - :lifetime::interval")
                .bind("lifetime", STORED_PAYLOAD_LIFETIME.toSeconds() + " seconds")
                .execute();
    }

    @Override
    public void close() {
        publisher.interrupt();
        NotificationListener l = listener;
        if (l != null) {
            l.close();
        }
    }
}
