package dev.courier.loadtest.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One virtual user's {@code /v1/stream} socket (the JDK's WebSocket client). Frames are decoded on the
 * client's selector thread and handed to the {@link Handler} one at a time, in the order the server sent them.
 */
public final class StreamConnection implements WebSocket.Listener {

    /** Called on the selector thread that all of a run's sockets share: nothing here may block. */
    public interface Handler {
        void onFrame(StreamConnection connection, StreamFrame frame, long receivedNanos);

        /** The server closed the socket (or it broke) before the run ended. */
        void onClosedEarly(StreamConnection connection, int statusCode, String reason);
    }

    /** The server has no usable {@code /v1/stream}: the upgrade was refused or never answered. */
    public static class UnavailableException extends Exception {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final int id;
    private final VirtualUser user;
    private final Handler handler;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    /** Guards {@link #previousSend}. */
    private final ReentrantLock sending = new ReentrantLock();
    private CompletableFuture<Void> previousSend = CompletableFuture.completedFuture(null);
    private volatile WebSocket socket;
    private volatile boolean closing;
    /** When anything last came from the server: a frame, a ping or a pong. */
    private volatile long heardNanos = System.nanoTime();
    private final AtomicBoolean pinging = new AtomicBoolean();

    private StreamConnection(int id, VirtualUser user, Handler handler) {
        this.id = id;
        this.user = user;
        this.handler = handler;
    }

    /**
     * The client that opens a run's sockets, apart from the one for REST calls. Its executor runs each task on
     * the thread that has it, the selector thread: the default executor hands every received frame to a worker
     * thread, and at a few thousand frames a second those thread switches cost the load tester as much CPU as
     * the server it measures, on the same cores. Safe because nothing done with a frame blocks (decoding, the
     * ledger, completing an ack) and nothing else uses this client.
     */
    public static HttpClient newSocketClient(Duration connectTimeout) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .executor(Runnable::run).build();
    }

    /** The stream of the server at {@code base}; with {@code echo} false, one that does not echo its own sends. */
    public static URI endpoint(URI base, boolean echo) {
        return URI.create(base.toString().replaceFirst("^http", "ws").replaceAll("/+$", "") + "/v1/stream"
                + (echo ? "" : "?echo=false"));
    }

    /**
     * Opens a user's stream (at {@link #endpoint}) as a polite client does: an upgrade answered {@code 503} or
     * {@code 429} (the server is
     * shedding load, as during the registration of a run's users) is tried again after its {@code Retry-After}.
     */
    public static StreamConnection open(HttpClient sockets, URI endpoint, int id, VirtualUser user, Handler handler,
                                        Duration timeout) throws UnavailableException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return openOnce(sockets, endpoint, id, user, handler, timeout);
            } catch (RefusedForNowException refused) {
                if (attempt >= CourierClient.SETUP_ATTEMPTS) {
                    throw refused;
                }
                Thread.sleep(Math.min(5_000, Math.max(100, refused.retryAfterMillis)));
            }
        }
    }

    /** An upgrade the server refused for now ({@code 503}, {@code 429}): worth another try after a pause. */
    public static final class RefusedForNowException extends UnavailableException {
        final long retryAfterMillis;
        final int status;

        RefusedForNowException(String message, Throwable cause, int status, long retryAfterMillis) {
            super(message, cause);
            this.status = status;
            this.retryAfterMillis = retryAfterMillis;
        }

        /** The upgrade's answer: {@code 503} or {@code 429}. */
        public int status() {
            return status;
        }

        /** The answer's {@code Retry-After}, in milliseconds (a second when it had none). */
        public long retryAfterMillis() {
            return retryAfterMillis;
        }
    }

    /**
     * One attempt at opening a user's stream, without the retries of {@link #open}: for a client that counts each
     * refusal and retries as it sees fit.
     */
    public static StreamConnection openOnce(HttpClient sockets, URI endpoint, int id, VirtualUser user, Handler handler,
                                             Duration timeout) throws UnavailableException, InterruptedException {
        StreamConnection connection = new StreamConnection(id, user, handler);
        try {
            connection.socket = sockets.newWebSocketBuilder().header("Authorization", "Bearer " + user.token())
                    .connectTimeout(timeout).buildAsync(endpoint, connection).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            connection.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return connection;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof WebSocketHandshakeException handshake) {
                int status = handshake.getResponse().statusCode();
                String message = "GET /v1/stream answered " + status + " instead of upgrading to a WebSocket";
                if (status == 503 || status == 429) {
                    long retryAfterSeconds = handshake.getResponse().headers().firstValueAsLong("Retry-After").orElse(1);
                    throw new RefusedForNowException(message, handshake, status, retryAfterSeconds * 1_000);
                }
                throw new UnavailableException(message, handshake);
            }
            throw new UnavailableException("GET /v1/stream failed: " + cause, cause);
        } catch (TimeoutException e) {
            connection.abort();
            throw new UnavailableException("GET /v1/stream gave no ready frame within " + timeout.toMillis() + " ms", e);
        }
    }

    public int id() {
        return id;
    }

    public VirtualUser user() {
        return user;
    }

    /**
     * Sends one client frame without waiting; the future completes once the socket has taken it. The JDK allows
     * one outstanding send per socket, so each send starts when the one before it has finished.
     */
    public CompletableFuture<Void> send(SendFrame frame) {
        return sendText(frame.toJson());
    }

    /** Says that this user is typing in the conversation; the server answers only on error. */
    public CompletableFuture<Void> sendTyping(long conversationId) {
        return sendText("{\"type\":\"typing\",\"conversationId\":" + conversationId + "}");
    }

    private CompletableFuture<Void> sendText(String text) {
        sending.lock();
        try {
            CompletableFuture<Void> sent = previousSend.handle((ignored, failure) -> null)
                    .thenCompose(ignored -> socket.sendText(text, true)).thenApply(ws -> null);
            previousSend = sent;
            return sent;
        } finally {
            sending.unlock();
        }
    }

    public void close() {
        closing = true;
        WebSocket ws = socket;
        if (ws != null && !ws.isOutputClosed()) {
            sending.lock();
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "load test finished").get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                ws.abort();
            } finally {
                sending.unlock();
            }
        }
    }

    /** Nanoseconds since anything came from the server on this socket. */
    public long silentNanos(long now) {
        return now - heardNanos;
    }

    /** Sends a WebSocket ping, unless one is still being sent; the server's pong counts as hearing from it. */
    public void ping() {
        WebSocket ws = socket;
        if (ws == null || ws.isOutputClosed() || !pinging.compareAndSet(false, true)) {
            return;
        }
        try {
            ws.sendPing(ByteBuffer.allocate(0)).whenComplete((sent, failure) -> pinging.set(false));
        } catch (IllegalStateException busy) {
            pinging.set(false);
        }
    }

    /**
     * Gives up on a socket that stays silent: reported to the handler as a socket that broke ({@code 1006}), as a
     * client that waited for its pong in vain treats it, and aborted, so that nothing more is read from it.
     */
    public void giveUp(String reason) {
        if (closing) {
            return;
        }
        closing = true;
        handler.onClosedEarly(this, 1006, reason);
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    private void abort() {
        closing = true;
        if (socket != null) {
            socket.abort();
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        long received = System.nanoTime();
        heardNanos = received;
        if (!last) {
            partial.append(data);
        } else {
            // Decoded before this returns, while the JDK still lends us data.
            CharSequence text = partial.isEmpty() ? data : partial.append(data).toString();
            partial.setLength(0);
            StreamFrame frame;
            try {
                frame = StreamFrame.decode(text);
            } catch (IOException e) {
                frame = new StreamFrame.Other("undecodable");
            }
            if (frame instanceof StreamFrame.Ready) {
                ready.complete(null);
            }
            handler.onFrame(this, frame, received);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        heardNanos = System.nanoTime();
        return WebSocket.Listener.super.onPing(webSocket, message);
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        heardNanos = System.nanoTime();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        if (!closing) {
            handler.onClosedEarly(this, statusCode, reason);
        }
        ready.completeExceptionally(new IOException("closed with " + statusCode + " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (!closing) {
            handler.onClosedEarly(this, 1006, String.valueOf(error));
        }
        ready.completeExceptionally(error);
    }
}
