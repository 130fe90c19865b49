package dev.courier.loadtest.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.loadtest.LoadSetupException;
import dev.courier.loadtest.integrity.IntegrityLedger;
import dev.courier.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The contract's HTTP side, as any third-party client sees it. Blocking calls: run them on virtual threads. */
public final class CourierClient {

    private final URI base;
    private final HttpClient http;
    private final Duration requestTimeout;

    public CourierClient(URI base, Duration requestTimeout) {
        this.base = Objects.requireNonNull(base);
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public ApiResponse get(String path, String token) throws IOException, InterruptedException {
        return call("GET", path, token, null);
    }

    public ApiResponse post(String path, String token, Object body) throws IOException, InterruptedException {
        return call("POST", path, token, Json.write(body));
    }

    public ApiResponse put(String path, String token, Object body) throws IOException, InterruptedException {
        return call("PUT", path, token, Json.write(body));
    }

    /** Registers and logs in; returns the user id and token. */
    public VirtualUser register(String username, String password) throws IOException, InterruptedException {
        ApiResponse created = postPolitely("/v1/accounts", null, Map.of("username", username, "password", password));
        if (created.status() != 201) {
            throw new LoadSetupException("registering " + username + " answered " + created.status() + " "
                    + created.errorKind());
        }
        ApiResponse session = postPolitely("/v1/sessions", null, Map.of("username", username, "password", password));
        if (session.status() != 201) {
            throw new LoadSetupException("logging in " + username + " answered " + session.errorKind());
        }
        JsonNode body = session.json();
        return new VirtualUser(body.path("user").path("id").asLong(), username, body.path("token").asText());
    }

    public long openDirect(VirtualUser a, VirtualUser b) throws IOException, InterruptedException {
        ApiResponse r = postPolitely("/v1/conversations", a.token(), Map.of("type", "direct", "members", List.of(b.id())));
        if (r.status() != 201 && r.status() != 200) {
            throw new LoadSetupException("opening a direct conversation answered " + r.errorKind());
        }
        return r.json().path("id").asLong();
    }

    public long openGroup(VirtualUser owner, String title, List<VirtualUser> others) throws IOException, InterruptedException {
        ApiResponse r = postPolitely("/v1/conversations", owner.token(), Map.of("type", "group", "title", title,
                "members", others.stream().map(VirtualUser::id).toList()));
        if (r.status() != 201) {
            throw new LoadSetupException("opening a group answered " + r.errorKind());
        }
        return r.json().path("id").asLong();
    }

    /** The whole history of a conversation, ascending, 500 at a time. */
    public List<IntegrityLedger.HistoryEntry> history(long conversationId, String token) throws IOException, InterruptedException {
        return history(conversationId, token, 0);
    }

    /** A conversation's messages after seq {@code from}, ascending, 500 at a time: a client's catch-up. */
    public List<IntegrityLedger.HistoryEntry> history(long conversationId, String token, long from)
            throws IOException, InterruptedException {
        List<IntegrityLedger.HistoryEntry> all = new ArrayList<>();
        long after = from;
        for (int page = 0; page < 10_000; page++) {
            ApiResponse r = get("/v1/conversations/" + conversationId + "/messages?limit=500&after=" + after, token);
            if (r.status() != 200) {
                throw new LoadSetupException("reading history of conversation " + conversationId + " answered "
                        + r.errorKind());
            }
            JsonNode body = r.json();
            for (JsonNode m : body.path("messages")) {
                all.add(new IntegrityLedger.HistoryEntry(m.path("seq").asLong(), m.path("id").asLong()));
                after = Math.max(after, m.path("seq").asLong());
            }
            if (!body.path("hasMore").asBoolean(false) || body.path("messages").isEmpty()) {
                return all;
            }
        }
        throw new LoadSetupException("history of conversation " + conversationId + " did not end");
    }

    /** The conversation's change counter: how many edits, deletes and reaction changes it has had. */
    public long lastChangeSeq(long conversationId, String token) throws IOException, InterruptedException {
        ApiResponse r = get("/v1/conversations/" + conversationId, token);
        if (r.status() != 200) {
            throw new LoadSetupException("reading conversation " + conversationId + " answered " + r.errorKind());
        }
        return r.json().path("lastChangeSeq").asLong();
    }

    /**
     * A setup request that honours {@code 429}/{@code 503} with {@code Retry-After}, as a well-behaved client
     * does: setup is not what a run measures. Bounded: gives up after {@link #SETUP_ATTEMPTS} tries.
     */
    ApiResponse postPolitely(String path, String token, Object body) throws IOException, InterruptedException {
        ApiResponse r = post(path, token, body);
        for (int attempt = 1; attempt < SETUP_ATTEMPTS && (r.status() == 429 || r.status() == 503); attempt++) {
            Thread.sleep(Math.min(5_000, Math.max(100, r.retryAfterMillis())));
            r = post(path, token, body);
        }
        return r;
    }

    static final int SETUP_ATTEMPTS = 20;

    private ApiResponse call(String method, String path, String token, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new ApiResponse(response.statusCode(), response.body(),
                ApiResponse.retryAfterMillis(response.headers().firstValue("Retry-After").orElse(null)));
    }
}
