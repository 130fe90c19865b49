package dev.courier.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.courier.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** A receiver of alert webhooks on loopback, shaped like Alertmanager's {@code POST /api/v2/alerts}. */
public final class WebhookReceiver implements AutoCloseable {

    private final HttpServer server;
    private final List<JsonNode> alerts = new ArrayList<>();

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    public static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.createContext("/api/v2/alerts", exchange -> {
                try (exchange) {
                    JsonNode body = Json.mapper().readTree(exchange.getRequestBody());
                    boolean ok = exchange.getRequestMethod().equals("POST") && body.isArray();
                    if (ok) {
                        synchronized (receiver.alerts) {
                            body.forEach(receiver.alerts::add);
                        }
                    }
                    exchange.sendResponseHeaders(ok ? 200 : 400, -1);
                }
            });
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2/alerts");
    }

    /** Every alert received so far, in order. */
    public List<JsonNode> alerts() {
        synchronized (alerts) {
            return List.copyOf(alerts);
        }
    }

    /** Waits for an alert matching {@code condition}. */
    public Optional<JsonNode> await(Predicate<JsonNode> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> found = alerts().stream().filter(condition).findFirst();
            if (found.isPresent()) {
                return found;
            }
            Thread.sleep(50);
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
