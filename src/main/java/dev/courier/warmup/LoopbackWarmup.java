package dev.courier.warmup;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/**
 * Requests to this node over loopback, through the whole HTTP pipeline (Jetty, Javalin's routing, the route guard
 * with its token lookup, JSON bodies in and out, the error answers), so that the JIT has seen that code before the
 * first client does. They carry a token no session has, so every one is refused and none changes anything.
 */
public final class LoopbackWarmup implements WarmupStep {

    private final URI base;
    private final int rounds;
    private final WarmupRequests marked;

    /**
     * {@code host} as the node listens ({@code 0.0.0.0} and {@code ::} are reached on 127.0.0.1); each request carries
     * {@code marked}'s header, so that the access log leaves it out.
     */
    public LoopbackWarmup(String host, int port, int rounds, WarmupRequests marked) {
        String reach = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1"
                : host.contains(":") ? "[" + host + "]" : host;
        this.base = URI.create("http://" + reach + ":" + port);
        this.rounds = rounds;
        this.marked = marked;
    }

    @Override
    public String name() {
        return "requests over loopback";
    }

    @Override
    public void run(long deadlineNanos) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build()) {
            String token = "warmup-" + UUID.randomUUID();
            for (int i = 0; i < rounds && System.nanoTime() - deadlineNanos < 0; i++) {
                String body = "{\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"body\":\"warm-up " + i + "\"}";
                expect(client, HttpRequest.newBuilder(base.resolve("/v1/conversations/1/messages"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)), 401);
                expect(client, HttpRequest.newBuilder(base.resolve("/v1/conversations/1/messages?after=0"))
                        .header("Authorization", "Bearer " + token).GET(), 401);
                expect(client, HttpRequest.newBuilder(base.resolve("/health/live")).GET(), 200);
            }
        }
    }

    private void expect(HttpClient client, HttpRequest.Builder request, int status) throws Exception {
        HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(2))
                        .header(WarmupRequests.HEADER, marked.mark()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != status) {
            throw new IllegalStateException(response.request().method() + " " + response.uri().getPath()
                    + " answered " + response.statusCode() + ", expected " + status);
        }
    }
}
