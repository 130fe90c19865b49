package dev.courier.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoublePredicate;

/** A small client of the contract for tests: raw requests, plus helpers that build users and conversations. */
public final class ApiClient {

    private static final AtomicLong NEXT_USER = new AtomicLong(System.nanoTime() % 100_000);
    public static final String PASSWORD = "correct horse battery";

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ApiClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** An answer: status, headers and body, with the body parsed on demand. */
    public record Response(int status, java.net.http.HttpHeaders headers, String body) {

        public JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("response is not JSON: " + body, e);
            }
        }

        /** The contract's error code, or null when the body has none. */
        public String errorCode() {
            JsonNode error = json().path("error");
            return error.isMissingNode() ? null : error.path("code").asText();
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** A registered, logged-in user. */
    public record TestUser(long id, String username, String token) {
    }

    public Response get(String path, String token) {
        return send("GET", path, token, null, null);
    }

    public Response delete(String path, String token) {
        return send("DELETE", path, token, null, null);
    }

    public Response post(String path, String token, Object body) {
        return send("POST", path, token, "application/json", body instanceof String s ? s : Json.write(body));
    }

    public Response patch(String path, String token, Object body) {
        return send("PATCH", path, token, "application/json", body instanceof String s ? s : Json.write(body));
    }

    public Response put(String path, String token, Object body) {
        return send("PUT", path, token, "application/json", body instanceof String s ? s : Json.write(body));
    }

    public Response send(String method, String path, String token, String contentType, String body) {
        return sendBytes(method, path, token, contentType,
                body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public Response sendBytes(String method, String path, String token, String contentType, byte[] body) {
        return exchange(method, path, token, contentType, body, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
    }

    /** Sends {@code body} with chunked transfer encoding: the server learns its length only by reading it. */
    public Response sendChunked(String method, String path, String token, String contentType, byte[] body) {
        return exchange(method, path, token, contentType, body,
                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)));
    }

    /**
     * Every exchange is held to the OpenAPI document ({@link OpenApiContract}): an answer, or an accepted request, that
     * the document does not describe fails the test here.
     */
    private Response exchange(String method, String path, String token, String contentType, byte[] body,
                              HttpRequest.BodyPublisher publisher) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .method(method, publisher);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            OpenApiContract.get().check(new OpenApiContract.Exchange(method, path, contentType, body,
                    response.statusCode(), response.headers().firstValue("Content-Type"), response.body()));
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A metric from {@code /metrics}: the sum of its series, 0 when it has none. */
    public double metric(String name) {
        return get("/metrics", null).body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** The series of a metric that carry {@code label} (e.g. {@code result="hit"}), summed; 0 when it has none. */
    public double metric(String name, String label) {
        return get("/metrics", null).body().lines().filter(l -> l.startsWith(name + "{") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** The metric once {@code until} holds for it, or when {@code wait} has run out, whichever comes first. */
    public double metricOnce(String name, DoublePredicate until, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        double value = metric(name);
        while (!until.test(value) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            value = metric(name);
        }
        return value;
    }

    public static String uniqueUsername(String prefix) {
        return prefix + NEXT_USER.incrementAndGet();
    }

    public TestUser newUser() {
        return newUser("user");
    }

    public TestUser newUser(String prefix) {
        String username = uniqueUsername(prefix);
        Response created = post("/v1/accounts", null, Map.of("username", username, "password", PASSWORD));
        expect(created, 201);
        return login(username);
    }

    /** {@code n} new users, each registered and logged in. */
    public List<TestUser> newUsers(String prefix, int n) {
        List<TestUser> users = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            users.add(newUser(prefix));
        }
        return users;
    }

    public TestUser login(String username) {
        Response session = post("/v1/sessions", null, Map.of("username", username, "password", PASSWORD));
        expect(session, 201);
        JsonNode body = session.json();
        return new TestUser(body.path("user").path("id").asLong(), username, body.path("token").asText());
    }

    /** Opens (or finds) the direct conversation of two users and returns its id. */
    public long direct(TestUser a, TestUser b) {
        Response r = post("/v1/conversations", a.token(), Map.of("type", "direct", "members", List.of(b.id())));
        if (r.status() != 201 && r.status() != 200) {
            throw new AssertionError("direct conversation: " + r);
        }
        return r.json().path("id").asLong();
    }

    public long group(TestUser owner, String title, TestUser... members) {
        Response r = post("/v1/conversations", owner.token(), Map.of("type", "group", "title", title,
                "members", java.util.Arrays.stream(members).map(TestUser::id).toList()));
        expect(r, 201);
        return r.json().path("id").asLong();
    }

    public Response sendMessage(TestUser sender, long conversationId, String body) {
        return post("/v1/conversations/" + conversationId + "/messages", sender.token(),
                Map.of("clientMsgId", UUID.randomUUID().toString(), "body", body));
    }

    /** A send that answers message {@code replyTo} of the conversation. */
    public Response sendReply(TestUser sender, long conversationId, long replyTo, String body) {
        return post("/v1/conversations/" + conversationId + "/messages", sender.token(),
                Map.of("clientMsgId", UUID.randomUUID().toString(), "body", body, "replyTo", replyTo));
    }

    public Response editMessage(TestUser caller, long conversationId, long seq, String body) {
        return patch(messagePath(conversationId, seq), caller.token(), Map.of("body", body));
    }

    public Response deleteMessage(TestUser caller, long conversationId, long seq) {
        return delete(messagePath(conversationId, seq), caller.token());
    }

    /** {@code emoji} travels URL-encoded in the path. */
    public Response react(TestUser caller, long conversationId, long seq, String emoji) {
        return send("PUT", reactionPath(conversationId, seq, emoji), caller.token(), null, null);
    }

    public Response unreact(TestUser caller, long conversationId, long seq, String emoji) {
        return delete(reactionPath(conversationId, seq, emoji), caller.token());
    }

    /** Messages changed after {@code changeSeq}, the page as the API answers it. */
    public Response changesAfter(TestUser caller, long conversationId, long changeSeq, int limit) {
        return get("/v1/conversations/" + conversationId + "/messages?changedAfter=" + changeSeq + "&limit=" + limit,
                caller.token());
    }

    public static String messagePath(long conversationId, long seq) {
        return "/v1/conversations/" + conversationId + "/messages/" + seq;
    }

    public static String reactionPath(long conversationId, long seq, String emoji) {
        return messagePath(conversationId, seq) + "/reactions/"
                + java.net.URLEncoder.encode(emoji, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void expect(Response r, int status) {
        if (r.status() != status) {
            throw new AssertionError("expected " + status + " but got " + r);
        }
    }
}
