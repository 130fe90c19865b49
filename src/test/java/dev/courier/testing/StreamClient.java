package dev.courier.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * A test client of {@code /v1/stream} on the JDK's WebSocket: collects every frame in arrival order, can stop
 * reading (to play a slow consumer), and records the close code.
 */
public final class StreamClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket socket;

    private StreamClient() {
    }

    /** Connects with the token in the Authorization header and waits for {@code ready}. */
    public static StreamClient connect(String baseUrl, String token) {
        StreamClient client = open(baseUrl, token, false);
        JsonNode ready = client.next(Duration.ofSeconds(10));
        if (!ready.path("type").asText().equals("ready")) {
            throw new AssertionError("first frame is not ready: " + ready);
        }
        return client;
    }

    /** Connects with the token in the Authorization header and {@code query} (e.g. {@code echo=false}). */
    public static StreamClient connect(String baseUrl, String token, String query) {
        StreamClient client = open(baseUrl, token, false, query);
        JsonNode ready = client.next(Duration.ofSeconds(10));
        if (!ready.path("type").asText().equals("ready")) {
            throw new AssertionError("first frame is not ready: " + ready);
        }
        return client;
    }

    /** Opens the socket; with {@code tokenInQuery} the token travels as {@code access_token}. */
    public static StreamClient open(String baseUrl, String token, boolean tokenInQuery) {
        return open(baseUrl, token, tokenInQuery, "");
    }

    /** Opens the socket with {@code query} added to the URL (empty for none). */
    public static StreamClient open(String baseUrl, String token, boolean tokenInQuery, String query) {
        StreamClient client = new StreamClient();
        List<String> params = new ArrayList<>();
        if (tokenInQuery) {
            params.add("access_token=" + token);
        }
        if (!query.isEmpty()) {
            params.add(query);
        }
        String url = baseUrl.replaceFirst("^http", "ws") + "/v1/stream"
                + (params.isEmpty() ? "" : "?" + String.join("&", params));
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (!tokenInQuery && token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        client.socket = builder.buildAsync(URI.create(url), client.new Listener()).join();
        return client;
    }

    private final class Listener implements WebSocket.Listener {
        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(Json.mapper().readTree(partial.toString()));
                } catch (IOException e) {
                    frames.add(Json.mapper().createObjectNode().put("type", "unparseable").put("text", partial.toString()));
                }
                partial.setLength(0);
            }
            if (reading.get()) {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.complete(1006);
        }
    }

    public void send(Object frame) {
        socket.sendText(frame instanceof String s ? s : Json.write(frame), true).join();
    }

    /** The next frame, failing the test if none arrives in time. */
    public JsonNode next(Duration timeout) {
        try {
            JsonNode frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within " + timeout);
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next frame, or null if none arrives in time (e.g. because the server closed the stream). */
    public JsonNode poll(Duration timeout) {
        try {
            return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next frame of {@code type}, skipping others (which are dropped). */
    public JsonNode nextOfType(String type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + type + " frame within " + timeout);
            }
            JsonNode frame = next(Duration.ofNanos(left));
            if (frame.path("type").asText().equals(type)) {
                return frame;
            }
        }
    }

    /** Collects {@code message} frames until {@code done} holds for the list so far, or fails after the timeout. */
    public List<JsonNode> messagesUntil(Predicate<List<JsonNode>> done, Duration timeout) {
        return messagesOfTypeUntil("message", done, timeout);
    }

    /**
     * Collects the messages of {@code message_changed} frames (each as the change left it) until {@code done} holds
     * for the list so far, or fails after the timeout.
     */
    public List<JsonNode> changesUntil(Predicate<List<JsonNode>> done, Duration timeout) {
        return messagesOfTypeUntil("message_changed", done, timeout);
    }

    private List<JsonNode> messagesOfTypeUntil(String type, Predicate<List<JsonNode>> done, Duration timeout) {
        List<JsonNode> messages = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(messages)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("gave up after " + messages.size() + " " + type + " frames: " + messages);
            }
            try {
                JsonNode frame = frames.poll(left, TimeUnit.NANOSECONDS);
                if (frame != null && frame.path("type").asText().equals(type)) {
                    messages.add(frame.path("message"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        return messages;
    }

    /**
     * Sends a {@code ping} and returns every frame up to and including its {@code pong}: a connection's frames are
     * handled in order, so the answers to everything sent before have arrived by then.
     */
    public List<JsonNode> untilPong(Duration timeout) {
        send("{\"type\":\"ping\"}");
        List<JsonNode> frames = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode frame = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            frames.add(frame);
            if (frame.path("type").asText().equals("pong")) {
                return frames;
            }
        }
    }

    /** The types of the frames {@link #untilPong} returns, the {@code pong} included. */
    public List<String> typesUntilPong(Duration timeout) {
        return untilPong(timeout).stream().map(frame -> frame.path("type").asText()).toList();
    }

    /** Every frame that arrives within {@code window}, waiting for all of it. */
    public List<JsonNode> during(Duration window) {
        List<JsonNode> frames = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            JsonNode frame = poll(Duration.ofNanos(left));
            if (frame != null) {
                frames.add(frame);
            }
        }
        return frames;
    }

    /** Frames received and not yet taken. */
    public List<JsonNode> drain() {
        List<JsonNode> all = new ArrayList<>();
        frames.drainTo(all);
        return all;
    }

    /** Stops asking for frames: the server's writes back up into the socket buffers. */
    public void stopReading() {
        reading.set(false);
    }

    public void resumeReading() {
        reading.set(true);
        socket.request(Long.MAX_VALUE);
    }

    /** The close code the server sent, or fails if the stream is still open after the timeout. */
    public int awaitClose(Duration timeout) {
        try {
            return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("stream not closed within " + timeout, e);
        }
    }

    public boolean isClosed() {
        return closeCode.isDone();
    }

    @Override
    public void close() {
        if (!closeCode.isDone()) {
            socket.abort();
        }
    }
}
