package dev.courier.loadtest;

import dev.courier.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One virtual user's {@code /v1/stream} socket (the JDK's WebSocket client). Frames are decoded on the
 * listener thread and handed to the {@link Handler} one at a time, in the order the server sent them.
 */
final class StreamConnection implements WebSocket.Listener {

    interface Handler {
        void onFrame(StreamConnection connection, StreamFrame frame, long receivedNanos);

        /** The server closed the socket (or it broke) before the run ended. */
        void onClosedEarly(StreamConnection connection, int statusCode, String reason);
    }

    /** The server has no usable {@code /v1/stream}: the upgrade was refused or never answered. */
    static final class UnavailableException extends Exception {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final int id;
    private final VirtualUser user;
    private final Handler handler;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    // The JDK allows one outstanding send per socket; sends from many sender threads take turns.
    private final ReentrantLock sending = new ReentrantLock();
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket socket;
    private volatile boolean closing;

    private StreamConnection(int id, VirtualUser user, Handler handler) {
        this.id = id;
        this.user = user;
        this.handler = handler;
    }

    static StreamConnection open(HttpClient http, URI base, int id, VirtualUser user, Handler handler, Duration timeout)
            throws UnavailableException, InterruptedException {
        StreamConnection connection = new StreamConnection(id, user, handler);
        URI uri = URI.create(base.toString().replaceFirst("^http", "ws").replaceAll("/+$", "") + "/v1/stream");
        try {
            connection.socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + user.token())
                    .connectTimeout(timeout).buildAsync(uri, connection).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            connection.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return connection;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof WebSocketHandshakeException handshake) {
                throw new UnavailableException("GET /v1/stream answered " + handshake.getResponse().statusCode()
                        + " instead of upgrading to a WebSocket", handshake);
            }
            throw new UnavailableException("GET /v1/stream failed: " + cause, cause);
        } catch (TimeoutException e) {
            connection.abort();
            throw new UnavailableException("GET /v1/stream gave no ready frame within " + timeout.toMillis() + " ms", e);
        }
    }

    int id() {
        return id;
    }

    VirtualUser user() {
        return user;
    }

    /** Sends one client frame; blocks until the socket has taken it. */
    void send(Object frame) throws IOException {
        String text = Json.write(frame);
        sending.lock();
        try {
            socket.sendText(text, true).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IOException("stream send failed: " + e.getCause(), e.getCause());
        } finally {
            sending.unlock();
        }
    }

    void close() {
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
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            StreamFrame frame;
            try {
                frame = StreamFrame.decode(Json.mapper().readTree(text));
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
