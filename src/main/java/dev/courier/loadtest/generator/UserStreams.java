package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadSetupException;
import dev.courier.loadtest.client.StreamConnection;
import dev.courier.loadtest.client.StreamFrame;
import dev.courier.loadtest.client.VirtualUser;
import dev.courier.loadtest.integrity.IntegrityLedger;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every virtual user's {@code /v1/stream} socket, by user. A server whose stream cannot be opened at all leaves the
 * run without deliveries to measure, which the run reports; one that refuses a later user fails the setup.
 */
final class UserStreams implements StreamConnection.Handler, AutoCloseable {

    private final IntegrityLedger ledger;
    private final FrameIntake intake;
    private final PrintStream out;
    private final Map<Long, StreamConnection> byUser = new ConcurrentHashMap<>();
    /** Ids of the streams opened by reconnects, after those of the users' first streams. */
    private final AtomicInteger nextReconnectionId = new AtomicInteger(1_000_000);
    private URI url;
    private HttpClient sockets;
    private String unavailable;

    UserStreams(IntegrityLedger ledger, FrameIntake intake, PrintStream out) {
        this.ledger = ledger;
        this.intake = intake;
        this.out = out;
    }

    /**
     * Opens one stream per user at {@code url} (a {@link StreamConnection#endpoint}): the first alone, to learn whether
     * the server has one, then the rest.
     */
    void open(URI url, List<VirtualUser> users) throws InterruptedException {
        this.url = url;
        sockets = StreamConnection.newSocketClient(Duration.ofSeconds(5));
        try {
            register(StreamConnection.open(sockets, url, 0, users.getFirst(), this, Duration.ofSeconds(5)));
        } catch (StreamConnection.UnavailableException e) {
            unavailable = e.getMessage();
            return;
        }
        LoadPopulation.inParallel(users.size() - 1, i -> {
            try {
                StreamConnection c = StreamConnection.open(sockets, url, i + 1, users.get(i + 1), this,
                        Duration.ofSeconds(10));
                register(c);
                return c;
            } catch (StreamConnection.UnavailableException e) {
                throw new LoadSetupException("stream of user " + (i + 1) + ": " + e.getMessage());
            }
        });
    }

    private void register(StreamConnection c) {
        ledger.connectionOpened(c.id(), c.user().id());
        byUser.put(c.user().id(), c);
    }

    /** Whether the streams are open: deliveries are measured only then. */
    boolean connected() {
        return unavailable == null;
    }

    /** Why the server has no usable stream; null when {@link #connected()}. */
    String unavailable() {
        return unavailable;
    }

    /** The user's open stream, or null once the server closed it (or there is none). */
    StreamConnection of(VirtualUser user) {
        return byUser.get(user.id());
    }

    /**
     * Closes the user's stream and opens a new one {@code pause} later, as a client does whose network dropped.
     * Neither stream is held to delivering every message (see {@link IntegrityLedger#reconnectionOpening}). False
     * when the user had no open stream, or the new one could not be opened.
     */
    boolean reconnect(VirtualUser user, Duration pause) throws InterruptedException {
        StreamConnection old = byUser.remove(user.id());
        if (old == null) {
            return false;
        }
        ledger.reconnectionClosing(old.id());
        old.close();
        Thread.sleep(pause);
        int id = nextReconnectionId.getAndIncrement();
        ledger.reconnectionOpening(id, user.id());
        try {
            byUser.put(user.id(), StreamConnection.open(sockets, url, id, user, this, Duration.ofSeconds(10)));
            return true;
        } catch (StreamConnection.UnavailableException e) {
            ledger.connectionClosedEarly(id);
            out.printf("loadtest: stream of %s not reopened: %s%n", user.username(), e.getMessage());
            return false;
        }
    }

    @Override
    public void onFrame(StreamConnection connection, StreamFrame frame, long receivedNanos) {
        intake.onFrame(connection, frame, receivedNanos);
    }

    @Override
    public void onClosedEarly(StreamConnection connection, int statusCode, String reason) {
        ledger.connectionClosedEarly(connection.id());
        byUser.remove(connection.user().id(), connection);
        out.printf("loadtest: stream of %s closed by the server: %d %s%n", connection.user().username(), statusCode,
                reason);
    }

    @Override
    public void close() {
        byUser.values().forEach(StreamConnection::close);
        if (sockets != null) {
            sockets.shutdownNow();
        }
    }
}
