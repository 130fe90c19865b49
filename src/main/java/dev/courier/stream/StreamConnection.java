package dev.courier.stream;

import dev.courier.accounts.Session;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * One open stream. Outbound frames go straight to Jetty's asynchronous writer (inside a {@link CoalescedWrites}
 * task, to its batch buffer until the task ends); this class counts what is queued there and closes the connection
 * with 4008 when a client reads too slowly, so a slow consumer costs at most the configured bytes. Inbound frames
 * are handled in arrival order on the virtual thread that read them, so an idle connection holds no thread.
 */
final class StreamConnection implements CoalescedWrites.Target {

    static final int CLOSE_REVOKED = 4001;
    static final int CLOSE_TOO_SLOW = 4008;
    static final int CLOSE_POLICY = 1008;
    static final int CLOSE_UNAVAILABLE = 1011;
    /**
     * Frames refused with {@code rate_limited} that a connection may collect before it is closed with 1008; one is
     * forgiven every {@link #FORGIVE_REFUSAL_NANOS}. A burst that overshoots its bucket (an offline queue flushed at
     * once) stays well below; a client that keeps sending while refused gets there within seconds.
     */
    static final int MAX_REFUSALS = 100;
    static final long FORGIVE_REFUSAL_NANOS = 100_000_000L;
    /**
     * Sends of one connection queued and not yet answered. Beyond this its reading thread waits for answers before it
     * reads on, so that one pipelining client cannot fill the message writers' bounded queues for everyone.
     */
    static final int MAX_SENDS_IN_FLIGHT = 16;
    /**
     * A connection relays at most one typing frame per conversation this often: the contract's 3 s, less a quarter of
     * a second, so that a client keeping to 3 s is not dropped whenever one frame arrives a little sooner after the
     * one before it than it was sent (bench/results/2026-12-07-presence.md).
     */
    static final long TYPING_EVERY_NANOS = 2_750_000_000L;
    /** Conversations whose last relayed typing frame is remembered before the stale ones are forgotten. */
    private static final int TYPING_REMEMBERED = 32;
    /** After asking a stuck client to close, how long before the socket is cut. */
    private static final long DISCONNECT_AFTER_SECONDS = 10;

    private final org.eclipse.jetty.websocket.api.Session socket;
    /** The same socket's frame-level session: it can also queue frames for one later write. */
    private final CoreSession frames;
    private final Session session;
    private final int maxQueuedFrames;
    private final long maxQueuedBytes;
    private final StreamMetrics metrics;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicInteger queuedFrames = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Semaphore sendsInFlight = new Semaphore(MAX_SENDS_IN_FLIGHT);
    private volatile boolean closing;
    private double refusals;
    private long refusalsCountedAt;
    /** When the last typing frame of each conversation was relayed (nanoTime). Guarded by {@code this}. */
    private final Map<Long, Long> typingRelayedAt = new HashMap<>();
    /** Null when the stream echoes its own sends, as v1 does; else opened with {@code echo=false}. */
    private final OwnSends ownSends;

    StreamConnection(org.eclipse.jetty.websocket.api.Session socket, Session session, int maxQueuedFrames,
                     long maxQueuedBytes, StreamMetrics metrics) {
        this(socket, session, maxQueuedFrames, maxQueuedBytes, metrics, true);
    }

    StreamConnection(org.eclipse.jetty.websocket.api.Session socket, Session session, int maxQueuedFrames,
                     long maxQueuedBytes, StreamMetrics metrics, boolean echo) {
        this.socket = socket;
        this.frames = ((WebSocketSession) socket).getCoreSession();
        this.session = session;
        this.maxQueuedFrames = maxQueuedFrames;
        this.maxQueuedBytes = maxQueuedBytes;
        this.metrics = metrics;
        this.ownSends = echo ? null : new OwnSends();
    }

    long userId() {
        return session.user().id();
    }

    /** A send of this stream goes to the writers: with {@code echo=false}, its delivery here is to be spared. */
    void sending(UUID clientMsgId) {
        if (ownSends != null) {
            ownSends.sending(clientMsgId);
        }
    }

    /** The send will not be delivered as new (it failed, or an earlier one stored it): nothing to spare. */
    void notDelivered(UUID clientMsgId) {
        if (ownSends != null) {
            ownSends.letGo(clientMsgId);
        }
    }

    /** Whether this stream skips the {@code message} frame of {@code message}: one it sent itself, with echo off. */
    boolean spares(long senderId, UUID clientMsgId) {
        return ownSends != null && senderId == userId() && ownSends.spare(clientMsgId);
    }

    boolean openedWith(byte[] tokenHash) {
        return Arrays.equals(session.tokenHash(), tokenHash);
    }

    String tokenHashHex() {
        return HexFormat.of().formatHex(session.tokenHash());
    }

    /** Queues one frame. Safe from any thread; frames leave in the order of these calls. */
    void send(String text) {
        if (closing) {
            return;
        }
        // Characters, not encoded bytes: exact for the ASCII that JSON mostly is, and cheap to count.
        long bytes = text.length();
        sendLock.lock();
        try {
            if (closing) {
                return;
            }
            if (queuedFrames.incrementAndGet() > maxQueuedFrames || queuedBytes.addAndGet(bytes) > maxQueuedBytes) {
                queuedFrames.decrementAndGet();
                queuedBytes.addAndGet(-bytes);
                metrics.slowConsumer();
                close(CLOSE_TOO_SLOW, "too slow: outbound queue full");
                return;
            }
            metrics.frameSent();
            // What Jetty's Session.sendText does, with batch mode inside a CoalescedWrites task.
            frames.sendFrame(new Frame(OpCode.TEXT).setPayload(text),
                    Callback.from(() -> written(bytes), failure -> written(bytes)),
                    CoalescedWrites.defer(this));
        } finally {
            sendLock.unlock();
        }
    }

    /** Writes the frames that waited for the end of a {@link CoalescedWrites} task. */
    @Override
    public void flush() {
        frames.flush(Callback.NOOP);
    }

    void send(ServerFrame frame) {
        send(ServerFrame.encode(frame));
    }

    /** Runs {@code task} holding the send lock, so no other frame can go out in between. */
    void exclusively(Runnable task) {
        sendLock.lock();
        try {
            task.run();
        } finally {
            sendLock.unlock();
        }
    }

    private void written(long bytes) {
        queuedFrames.decrementAndGet();
        queuedBytes.addAndGet(-bytes);
    }

    /**
     * Handles an inbound frame on the thread that read it, a virtual thread of the web server's. The connection's
     * next frames stay unread until it returns, so they are handled one at a time in order, and a client that
     * sends faster than it is answered is held back by TCP. A worker thread of the connection's own would only add a
     * virtual thread's start, park and wake-up per frame: its frames are handled one at a time either way.
     * Once the connection is closing, frames are dropped: they would only cost rate checks and queries.
     */
    void receive(String text, InboundFrames inbound) {
        if (!closing) {
            inbound.handle(this, text);
        }
    }

    /** Takes a place for one more send in flight, waiting for an answer to go out when all are taken. */
    void takeSendPlace() {
        sendsInFlight.acquireUninterruptibly();
    }

    /** Frees the place of a send that was answered (or never queued). */
    void releaseSendPlace() {
        sendsInFlight.release();
    }

    /** Waits until every send taken so far has been answered. */
    void awaitAnswersToSends() {
        sendsInFlight.acquireUninterruptibly(MAX_SENDS_IN_FLIGHT);
        sendsInFlight.release(MAX_SENDS_IN_FLIGHT);
    }

    /**
     * Counts one frame refused with {@code rate_limited}. The bucket's refusal is the answer to a burst; a client
     * that keeps sending regardless is closed with 1008, so that it costs no more checks. Synchronized: the frames of
     * a connection are handled one at a time, but not always on the same thread.
     */
    synchronized void refusedForRateLimit() {
        long now = System.nanoTime();
        double forgiven = refusals == 0 ? 0 : (now - refusalsCountedAt) / (double) FORGIVE_REFUSAL_NANOS;
        refusals = Math.max(0, refusals - forgiven) + 1;
        refusalsCountedAt = now;
        if (refusals > MAX_REFUSALS) {
            metrics.flooderClosed();
            close(CLOSE_POLICY, "rate limit ignored");
        }
    }

    /** True while a typing frame for the conversation was relayed too recently: the next is dropped. */
    synchronized boolean typingThrottled(long conversationId) {
        Long relayedAt = typingRelayedAt.get(conversationId);
        return relayedAt != null && System.nanoTime() - relayedAt < TYPING_EVERY_NANOS;
    }

    /**
     * Remembers that a typing frame for the conversation was relayed now. Only conversations the user is a member of
     * get here, and those older than the throttle are forgotten, so the memory stays small.
     */
    synchronized void typingRelayed(long conversationId) {
        long now = System.nanoTime();
        if (typingRelayedAt.size() >= TYPING_REMEMBERED) {
            typingRelayedAt.values().removeIf(at -> now - at >= TYPING_EVERY_NANOS);
        }
        typingRelayedAt.put(conversationId, now);
    }

    void close(int code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        socket.close(code, reason, org.eclipse.jetty.websocket.api.Callback.NOOP);
        // A client that reads nothing never reads the close frame either: cut the socket after a grace period.
        Thread.ofVirtual().start(() -> {
            try {
                TimeUnit.SECONDS.sleep(DISCONNECT_AFTER_SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (socket.isOpen()) {
                socket.disconnect();
            }
        });
    }

    int queuedFrames() {
        return queuedFrames.get();
    }
}
