package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadSetupException;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.client.SendFrame;
import dev.courier.loadtest.client.StreamConnection;
import dev.courier.loadtest.client.StreamFrame;
import dev.courier.loadtest.client.VirtualUser;
import dev.courier.loadtest.integrity.IntegrityLedger;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every virtual user's {@code /v1/stream} socket, by user. A server whose stream cannot be opened at all leaves the
 * run without deliveries to measure, which the run reports; one that refuses a later user fails the setup.
 *
 * <p>A stream the server closes with 1001 (its node stops) or that breaks (its node died) is resumed as a client
 * does: a new socket (through the same URL, so a balancer picks another node), the sends still unanswered sent again
 * with their {@code clientMsgId}, and a catch-up from the last seq seen ({@link CatchUp}). Neither counts as an error:
 * the resumed stream is held to delivering every message exactly once, in order, as one open all along is.
 */
final class UserStreams implements StreamConnection.Handler, AutoCloseable {

    /** The contract's close code for a node that stops. */
    static final int GOING_AWAY = 1001;
    /** What the JDK's client reports for a socket that broke without a close frame (the node died). */
    static final int BROKEN = 1006;
    /** How long a stream is tried again after the server closed it before it counts as closed early. */
    private static final Duration RESUME_FOR = Duration.ofSeconds(30);

    private final IntegrityLedger ledger;
    private final FrameIntake intake;
    private final PrintStream out;
    private final CourierClient client;
    private final Map<Long, List<Long>> conversationsOf;
    private final Map<Long, StreamConnection> byUser = new ConcurrentHashMap<>();
    private final Map<Long, UnansweredSends> unanswered = new ConcurrentHashMap<>();
    /** Users whose stream is being resumed: their sends wait for the new socket. */
    private final Set<Long> resuming = ConcurrentHashMap.newKeySet();
    /** The catch-up of each resumed socket, by connection id (it de-duplicates for as long as the socket lives). */
    private final Map<Integer, CatchUp> catchingUp = new ConcurrentHashMap<>();
    private final Set<Thread> resumers = ConcurrentHashMap.newKeySet();
    /** Ids of the streams opened by reconnects, after those of the users' first streams. */
    private final AtomicInteger nextReconnectionId = new AtomicInteger(1_000_000);
    private final LongAdder resumedGoingAway = new LongAdder();
    private final LongAdder resumedBroken = new LongAdder();
    private final LongAdder resumeFailures = new LongAdder();
    private final LongAdder sentAgain = new LongAdder();
    private final LongAdder givenUp = new LongAdder();
    private final Duration liveness;
    private Thread watch;
    private URI url;
    private HttpClient sockets;
    private String unavailable;
    private volatile boolean closing;

    /** @param liveness zero, or how long a stream may hear nothing before it is given up (see {@link #watch}) */
    UserStreams(IntegrityLedger ledger, FrameIntake intake, PrintStream out, CourierClient client,
                Map<Long, List<Long>> conversationsOf, Duration liveness) {
        this.liveness = liveness;
        this.ledger = ledger;
        this.intake = intake;
        this.out = out;
        this.client = client;
        this.conversationsOf = conversationsOf;
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
        if (!liveness.isZero()) {
            watch = Thread.ofVirtual().name("loadtest-stream-liveness").start(this::watch);
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
     * Sends on the user's stream; while it is being resumed the send waits for the new socket. {@code lost} runs when
     * the user has no stream and none is coming, now or once the socket failed under the send.
     */
    void send(VirtualUser user, SendFrame frame, Runnable lost) {
        UnansweredSends waiting = unanswered.computeIfAbsent(user.id(), id -> new UnansweredSends());
        waiting.sent(frame);
        StreamConnection stream = byUser.get(user.id());
        if (stream != null) {
            stream.send(frame).whenComplete((sent, failure) -> {
                if (failure != null && !resuming.contains(user.id()) && byUser.get(user.id()) == null) {
                    waiting.answered(frame.clientMsgId());
                    lost.run();
                }
            });
        } else if (!resuming.contains(user.id())) {
            waiting.answered(frame.clientMsgId());
            lost.run();
        }
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
            StreamConnection again = StreamConnection.open(sockets, url, id, user, this, Duration.ofSeconds(10));
            byUser.put(user.id(), again);
            sendAgain(user, again);
            return true;
        } catch (StreamConnection.UnavailableException e) {
            ledger.connectionClosedEarly(id);
            out.printf("loadtest: stream of %s not reopened: %s%n", user.username(), e.getMessage());
            return false;
        }
    }

    @Override
    public void onFrame(StreamConnection connection, StreamFrame frame, long receivedNanos) {
        switch (frame) {
            case StreamFrame.Ack ack -> answered(connection, ack.clientMsgId());
            case StreamFrame.Error error when error.clientMsgId() != null -> answered(connection, error.clientMsgId());
            default -> { }
        }
        CatchUp catchUp = catchingUp.get(connection.id());
        if (catchUp == null || !catchUp.intercept(connection, frame, receivedNanos)) {
            intake.onFrame(connection, frame, receivedNanos);
        }
    }

    private void answered(StreamConnection connection, String clientMsgId) {
        UnansweredSends waiting = unanswered.get(connection.user().id());
        if (waiting != null) {
            waiting.answered(clientMsgId);
        }
    }

    @Override
    public void onClosedEarly(StreamConnection connection, int statusCode, String reason) {
        VirtualUser user = connection.user();
        byUser.remove(user.id(), connection);
        if (!closing && (statusCode == GOING_AWAY || statusCode == BROKEN) && resuming.add(user.id())) {
            // on the sockets' shared thread: the resumption, which waits, runs on a thread of its own
            Thread resumer = Thread.ofVirtual().name("loadtest-resume").unstarted(() -> {
                try {
                    resume(connection, statusCode);
                } finally {
                    resuming.remove(user.id());
                    resumers.remove(Thread.currentThread());
                }
            });
            resumers.add(resumer);
            resumer.start();
            return;
        }
        ledger.connectionClosedEarly(connection.id());
        out.printf("loadtest: stream of %s closed by the server: %d %s%n", user.username(), statusCode, reason);
    }

    /**
     * A frozen node, or a network that drops everything, closes no socket: the client hears nothing. Each open stream
     * silent for half the liveness is pinged (WebSocket ping; the server's pong, like any frame, is hearing from it),
     * and one silent for all of it is given up and resumed as a broken one (through the balancer, so on a node that
     * answers). Its unanswered sends are sent again there with their {@code clientMsgId}s, which the server
     * recognises should the frozen node store them too when it wakes.
     */
    private void watch() {
        long ping = liveness.toNanos() / 2;
        long dead = liveness.toNanos();
        while (!closing) {
            try {
                Thread.sleep(Math.max(50, liveness.toMillis() / 10));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (StreamConnection c : byUser.values()) {
                long silent = c.silentNanos(now);
                if (silent >= dead) {
                    givenUp.increment();
                    c.giveUp("silent for " + silent / 1_000_000 + " ms, ping unanswered");
                } else if (silent >= ping) {
                    c.ping();
                }
            }
        }
    }

    /** Opens the stream again (through the balancer, to any node), sends again what was unanswered and catches up. */
    private void resume(StreamConnection old, int statusCode) {
        VirtualUser user = old.user();
        int id = nextReconnectionId.getAndIncrement();
        CatchUp catchUp = new CatchUp();
        catchingUp.put(id, catchUp);
        ledger.resumedAs(old.id(), id);
        long deadline = System.nanoTime() + RESUME_FOR.toNanos();
        String lastFailure = "";
        try {
            // spread out: every stream of a stopping node is closed at once
            Thread.sleep(ThreadLocalRandom.current().nextLong(50, 500));
            for (int attempt = 1; !closing && System.nanoTime() < deadline && attempt <= 60; attempt++) {
                try {
                    StreamConnection again = StreamConnection.open(sockets, url, id, user, this, Duration.ofSeconds(5));
                    byUser.put(user.id(), again);
                    (statusCode == GOING_AWAY ? resumedGoingAway : resumedBroken).increment();
                    sendAgain(user, again);
                    catchUp(again, catchUp);
                    return;
                } catch (StreamConnection.UnavailableException e) {
                    lastFailure = e.getMessage();
                    Thread.sleep(Math.min(2_000, 250L * attempt));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            lastFailure = e.toString();
        }
        catchingUp.remove(id);
        catchUp.abandon();
        resumeFailures.increment();
        ledger.connectionClosedEarly(id);
        if (!closing) {
            out.printf("loadtest: stream of %s not resumed after %d: %s%n", user.username(), statusCode, lastFailure);
        }
    }

    private void sendAgain(VirtualUser user, StreamConnection stream) {
        UnansweredSends waiting = unanswered.get(user.id());
        if (waiting == null) {
            return;
        }
        for (SendFrame frame : waiting.waiting()) {
            stream.send(frame);
            sentAgain.increment();
        }
    }

    /**
     * Reads each of the user's conversations after the last seq its stream saw, then lets the frames that waited
     * meanwhile through. A page refused for now (the balancer still sent it to the stopping node), or not answered in
     * time (it went to a node that froze), is read again.
     */
    private void catchUp(StreamConnection stream, CatchUp catchUp) throws IOException, InterruptedException {
        Map<Long, List<IntegrityLedger.HistoryEntry>> pages = new HashMap<>();
        Map<Long, Long> caughtUp = new HashMap<>();
        for (long conversationId : conversationsOf.getOrDefault(stream.user().id(), List.of())) {
            long from = ledger.lastSeen(stream.id(), conversationId);
            List<IntegrityLedger.HistoryEntry> page = null;
            for (int attempt = 1; page == null; attempt++) {
                try {
                    page = client.history(conversationId, stream.user().token(), from);
                } catch (LoadSetupException | IOException refused) {
                    // refused for now, or no answer in time (a balancer still sent it to a node that froze)
                    if (attempt >= 10) {
                        throw new IOException("catch-up of conversation " + conversationId + ": " + refused.getMessage());
                    }
                    Thread.sleep(250L * attempt);
                }
            }
            pages.put(conversationId, page);
            caughtUp.put(conversationId, page.isEmpty() ? from : page.getLast().seq());
        }
        catchUp.finish(stream, () -> pages.forEach((conversationId, page) -> page.forEach(
                        // a seq seen already can only be the stream's own send, acked without the echo
                        entry -> {
                            if (!ledger.hasSeen(stream.id(), conversationId, entry.seq())) {
                                ledger.delivered(stream.id(), conversationId, entry.seq());
                            }
                        })),
                caughtUp, (frame, nanos) -> intake.onFrame(stream, frame, nanos));
    }

    /** One line on the streams the server closed and the run resumed. */
    String resumptionLine() {
        return String.format("streams resumed after the server closed them: %d (1001 going away: %d, broken: %d), "
                        + "not resumed: %d; sends sent again: %d; messages de-duplicated across a reconnect: %d%s",
                resumedGoingAway.sum() + resumedBroken.sum(), resumedGoingAway.sum(), resumedBroken.sum(),
                resumeFailures.sum(), sentAgain.sum(),
                catchingUp.values().stream().mapToInt(CatchUp::deduplicated).sum(),
                liveness.isZero() ? "" : "; streams given up as silent (counted as broken): " + givenUp.sum());
    }

    long resumed() {
        return resumedGoingAway.sum() + resumedBroken.sum();
    }

    long resumeFailures() {
        return resumeFailures.sum();
    }

    @Override
    public void close() {
        closing = true;
        if (watch != null) {
            watch.interrupt();
        }
        for (Thread resumer : List.copyOf(resumers)) {
            resumer.interrupt();
        }
        byUser.values().forEach(StreamConnection::close);
        if (sockets != null) {
            sockets.shutdownNow();
        }
    }
}
