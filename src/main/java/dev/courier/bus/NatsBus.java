package dev.courier.bus;

import dev.courier.events.DomainEvent;
import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.ErrorListenerLoggerImpl;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out through NATS core publish/subscribe, for deployments that outgrow LISTEN/NOTIFY. The client reconnects by
 * itself; NATS core does not replay what was published while a node was disconnected, so every reconnect is
 * reported as a possible loss and the node catches up from the database.
 */
public final class NatsBus implements EventBus {

    private static final Logger log = LoggerFactory.getLogger(NatsBus.class);

    static final String SUBJECT = "courier.events";
    /** NATS's default max_payload is 1 MiB; a message of 4,000 code points always fits. */
    private static final int MAX_PAYLOAD_BYTES = 512 * 1024;

    private final String url;
    private final Connection connection;
    private final BusCodec codec = new BusCodec(MAX_PAYLOAD_BYTES);
    private final EventCounts published;
    private final EventCounts received;
    private final Counter reconnects;
    private volatile BusListener listener;
    private Dispatcher dispatcher;
    /** When the connection was lost, while it is; null while connected. */
    private volatile Instant downSince;
    /** The client's last complaint (refused, no pong, an -ERR from the server), for the alert's summary. */
    private volatile String lastProblem;

    private NatsBus(String url, MeterRegistry meters) throws IOException, InterruptedException {
        this.url = url;
        this.published = new EventCounts(meters, MetricNames.BUS_EVENTS_PUBLISHED,
                "committed events published to the other nodes", "nats");
        this.received = new EventCounts(meters, MetricNames.BUS_EVENTS_RECEIVED, "events heard from the other nodes",
                "nats");
        this.reconnects = Counter.builder(MetricNames.BUS_LISTENER_RECONNECTS)
                .description("times the bus connection was re-established after a failure")
                .register(meters);
        Options options = Options.builder()
                .server(url)
                .connectionName("courier-" + ProcessHandle.current().pid())
                // this node's own events are delivered locally (LocalFirstBus); the server need not send them back
                .noEcho()
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(250))
                .connectionTimeout(Duration.ofSeconds(5))
                // a server that keeps its socket open and answers nothing (stopped, its host frozen) is given up after
                // two unanswered pings, within about 3 s, and reported as a lost connection
                .pingInterval(Duration.ofSeconds(1))
                .maxPingsOut(2)
                .connectionListener(this::connectionEvent)
                .errorListener(new ProblemsNoted())
                .build();
        this.connection = Nats.connect(options);
        Gauge.builder(MetricNames.BUS_LISTENER_CONNECTED, connection,
                        c -> c.getStatus() == Connection.Status.CONNECTED ? 1 : 0)
                .description("1 while the bus connection is up")
                .tag("bus", "nats")
                .register(meters);
    }

    /** Connects to the NATS server at {@code url}; fails at once, naming the option, when it cannot be reached. */
    public static NatsBus connect(String url, MeterRegistry meters) {
        try {
            return new NatsBus(url, meters);
        } catch (IOException e) {
            throw new IllegalStateException("--bus " + url + ": cannot connect to NATS (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("--bus " + url + ": interrupted while connecting", e);
        }
    }

    @Override
    public void publish(DomainEvent event) {
        // While disconnected the client buffers (bounded); what it cannot buffer is caught up from the table.
        try {
            connection.publish(SUBJECT, codec.encode(event));
            published.count(event);
        } catch (IllegalStateException e) {
            log.warn("could not publish to NATS: {}", e.toString());
        }
    }

    /**
     * Confirmed when the server answers a ping sent after the event: it has then passed the event on to the other
     * nodes' connections. (This node asked not to hear its own events back, so there is no echo to wait for.)
     */
    @Override
    public boolean publishAndAwaitCarried(DomainEvent event, Duration atMost) {
        publish(event);
        if (connection.getStatus() != Connection.Status.CONNECTED) {
            return false;
        }
        try {
            connection.flush(atMost);
            return true;
        } catch (TimeoutException | IllegalStateException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public synchronized void subscribe(BusListener busListener) {
        listener = busListener;
        dispatcher = connection.createDispatcher(message -> {
            BusCodec.Decoded decoded = codec.decode(message.getData());
            BusCodec.deliver(decoded, busListener);
            received.count(decoded);
        });
        dispatcher.subscribe(SUBJECT);
        busListener.onPossibleLoss();
    }

    private void connectionEvent(Connection conn, ConnectionListener.Events type) {
        switch (type) {
            case DISCONNECTED -> {
                if (downSince == null) {
                    downSince = Instant.now();
                }
                log.warn("NATS connection lost{}; reconnecting", lastProblem == null ? "" : " (" + lastProblem + ")");
            }
            case RECONNECTED, RESUBSCRIBED -> {
                if (type == ConnectionListener.Events.RECONNECTED) {
                    downSince = null;
                    lastProblem = null;
                    reconnects.increment();
                    log.info("NATS connection re-established");
                }
                BusListener l = listener;
                if (l != null) {
                    // Off the client's own thread: catching up reads the database.
                    Thread.ofVirtual().name("courier-nats-catch-up").start(l::onPossibleLoss);
                }
            }
            default -> { }
        }
    }

    @Override
    public String describe() {
        return url;
    }

    @Override
    public BusLink link() {
        if (connection.getStatus() == Connection.Status.CONNECTED) {
            return BusLink.up(url, false);
        }
        Instant since = downSince;
        return new BusLink(url, false, false, since == null ? Instant.now() : since, lastProblem);
    }

    /**
     * jnats's own logging of the client's errors, keeping the one that took the connection down to say why it is
     * down (the failed attempts to reconnect that follow say less).
     */
    private final class ProblemsNoted extends ErrorListenerLoggerImpl {

        @Override
        public void errorOccurred(Connection conn, String error) {
            note(error);
            super.errorOccurred(conn, error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            note(exp.getMessage() != null ? exp.getMessage() : exp instanceof TimeoutException
                    ? "the server did not answer in time" : exp.getClass().getSimpleName());
            super.exceptionOccurred(conn, exp);
        }

        private void note(String problem) {
            if (downSince == null) {
                lastProblem = problem;
            }
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
