package dev.courier.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.CourierConfig;
import dev.courier.config.JdbcTarget;
import dev.courier.config.RateLimitConfig;
import dev.courier.config.SecurityConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RateLimitTest {

    private static TestServer start(String spec) {
        return TestServer.start(cfg -> cfg.withSecurity(SecurityConfig.defaults()
                .withRateLimits(RateLimitConfig.parse(spec))));
    }

    @Test
    void accountCreationIsLimitedPerAddressWithRetryAfterAndStoresNothingOverTheLimit() {
        try (TestServer server = start("accounts=3/1h")) {
            ApiClient api = server.client();
            for (int i = 0; i < 3; i++) {
                assertThat(createAccount(api, ApiClient.uniqueUsername("acct")).status()).isEqualTo(201);
            }
            String refused = ApiClient.uniqueUsername("acct");
            Response limited = createAccount(api, refused);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.errorCode()).isEqualTo("rate_limited");
            // one token every 20 minutes: the answer says how long to wait
            assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1100, 1200);

            Response login = api.post("/v1/sessions", null, Map.of("username", refused, "password", ApiClient.PASSWORD));
            assertThat(login.status()).isEqualTo(401);
        }
    }

    @Test
    void behindATrustedProxyEachForwardedClientHasItsOwnBucket() throws Exception {
        try (TestServer server = TestServer.start(cfg -> cfg.withSecurity(SecurityConfig.defaults()
                .withRateLimits(RateLimitConfig.parse("accounts=2/1h"))
                .withTrustedProxies(SecurityConfig.parseTrustedProxies("127.0.0.1"))))) {
            HttpClient http = HttpClient.newHttpClient();
            assertThat(createAccountFrom(http, server, "198.51.100.1")).isEqualTo(201);
            assertThat(createAccountFrom(http, server, "198.51.100.1")).isEqualTo(201);
            assertThat(createAccountFrom(http, server, "198.51.100.1")).isEqualTo(429);
            assertThat(createAccountFrom(http, server, "198.51.100.2")).isEqualTo(201);
        }
        try (TestServer untrusting = start("accounts=2/1h")) {
            HttpClient http = HttpClient.newHttpClient();
            assertThat(createAccountFrom(http, untrusting, "198.51.100.1")).isEqualTo(201);
            assertThat(createAccountFrom(http, untrusting, "198.51.100.2")).isEqualTo(201);
            // without trusted proxies the header is the client's own claim: all three came from 127.0.0.1
            assertThat(createAccountFrom(http, untrusting, "198.51.100.3")).isEqualTo(429);
        }
    }

    @Test
    void twoNodesOfOneDeploymentDrawFromTheSameBucket() {
        JdbcTarget database = TestDatabase.freshDatabase();
        CourierConfig config = TestServer.defaultConfig(database).withSecurity(SecurityConfig.defaults()
                .withRateLimits(RateLimitConfig.parse("messages=6/1h")));
        try (TestServer first = TestServer.start(config); TestServer second = TestServer.start(config)) {
            ApiClient a = first.client();
            ApiClient b = second.client();
            TestUser alice = a.newUser("alice");
            TestUser bob = a.newUser("bob");
            long conversation = a.direct(alice, bob);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                statuses.add((i % 2 == 0 ? a : b).sendMessage(alice, conversation, "hello " + i).status());
            }
            assertThat(statuses).containsExactly(201, 201, 201, 201, 201, 201, 429, 429);
            // bob's bucket is his own
            assertThat(b.sendMessage(bob, conversation, "hi").status()).isEqualTo(201);
            assertThat(a.get("/v1/conversations/" + conversation, alice.token()).json().path("lastSeq").asLong())
                    .isEqualTo(7);
        }
    }

    @Test
    void otherWritesHaveTheirOwnLimitWhileReadsAndLogoutStayOpen() {
        try (TestServer server = start("writes=3/1h")) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long conversation = api.direct(alice, bob);
            long group = api.group(alice, "g", bob);
            assertThat(api.post("/v1/conversations/" + group + "/members", alice.token(), Map.of("userId", bob.id()))
                    .status()).isEqualTo(200);
            Response limited = api.post("/v1/conversations/" + conversation + "/read", alice.token(), Map.of("seq", 0));
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.header("Retry-After")).isNotNull();
            // messages are a bucket of their own; reads are never limited; nor is logging out
            assertThat(api.sendMessage(alice, conversation, "still here").status()).isEqualTo(201);
            for (int i = 0; i < 20; i++) {
                assertThat(api.get("/v1/conversations", alice.token()).status()).isEqualTo(200);
            }
            assertThat(api.delete("/v1/sessions/current", alice.token()).status()).isEqualTo(204);
        }
    }

    @Test
    void offLetsEverythingThrough() {
        try (TestServer server = start("off")) {
            ApiClient api = server.client();
            for (int i = 0; i < 25; i++) {
                assertThat(createAccount(api, ApiClient.uniqueUsername("free")).status()).isEqualTo(201);
            }
        }
    }

    /**
     * One user floods with eight parallel senders; another sends one message every 50 ms meanwhile. The flood is
     * held to its rate (30/s with a burst of 30) and the other user's messages all succeed at normal latency.
     */
    @Test
    void aFloodFromOneUserIsLimitedWhileAnotherUsersMessagesKeepFlowing() throws Exception {
        try (TestServer server = start(null)) {
            ApiClient api = server.client();
            FloodScene scene = FloodScene.create(api);
            TestUser flooder = scene.flooder();
            TestUser calm = scene.calm();
            long floodConversation = scene.floodConversation();
            long calmConversation = scene.calmConversation();

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger floodAccepted = new AtomicInteger();
            AtomicInteger floodLimited = new AtomicInteger();
            AtomicInteger floodOther = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            long floodStart = System.nanoTime();
            List<Future<?>> flood = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                flood.add(pool.submit(() -> {
                    // bounded: at most 400 requests per thread, and the calm user's run stops it
                    for (int i = 0; i < 400 && !stop.get(); i++) {
                        int status = api.sendMessage(flooder, floodConversation, "flood " + i).status();
                        (status == 201 ? floodAccepted : status == 429 ? floodLimited : floodOther).incrementAndGet();
                    }
                }));
            }
            List<Long> calmMillis = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 40; i++) {
                long t0 = System.nanoTime();
                Response sent = api.sendMessage(calm, calmConversation, "calm " + i);
                calmMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                assertThat(sent.status()).as(sent.toString()).isEqualTo(201);
                Thread.sleep(50);
            }
            stop.set(true);
            for (Future<?> f : flood) {
                f.get(60, TimeUnit.SECONDS);
            }
            double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
            pool.shutdown();

            List<Long> sorted = new ArrayList<>(calmMillis);
            Collections.sort(sorted);
            System.out.printf("flood: %d accepted, %d limited, %d other in %.1f s; calm user: 40/40 sent, "
                            + "latency median %d ms, p95 %d ms, max %d ms%n", floodAccepted.get(), floodLimited.get(),
                    floodOther.get(), floodSeconds, sorted.get(20), sorted.get(37), sorted.get(39));

            assertThat(floodOther.get()).isZero();
            assertThat(floodLimited.get()).isPositive();
            // a burst of 30, then 30 per second; +30 slack for requests in flight at the edges
            assertThat(floodAccepted.get()).isLessThanOrEqualTo((int) (30 + 30 * floodSeconds) + 30);
            // generous for a shared two-core machine: the limit, not the flood, decides the calm user's latency
            assertThat(sorted.get(20)).isLessThan(1_000);
            long calmStored = api.get("/v1/conversations/" + calmConversation, calm.token()).json().path("lastSeq").asLong();
            assertThat(calmStored).isEqualTo(40);
            long floodStored = api.get("/v1/conversations/" + floodConversation, flooder.token()).json()
                    .path("lastSeq").asLong();
            assertThat(floodStored).isEqualTo(floodAccepted.get());
        }
    }

    /**
     * One user floods its socket with sends, each only after the answer to the one before (so its frames never pile
     * up: what ends the flood is the refusal count, not the 256-frame inbound queue). It gets acks up to the
     * messages bucket, then error frames {@code rate_limited} with {@code retryAfter}, then the server closes the
     * stream with 1008. Another user's socket sends, one every 50 ms meanwhile, are all acknowledged.
     */
    @Test
    void aSocketThatKeepsFloodingIsRefusedThenDisconnectedWhileAnotherUsersSocketSendsAreAcknowledged()
            throws Exception {
        try (TestServer server = start(null)) {
            ApiClient api = server.client();
            FloodScene scene = FloodScene.create(api);
            TestUser flooder = scene.flooder();
            TestUser calm = scene.calm();
            long floodConversation = scene.floodConversation();
            long calmConversation = scene.calmConversation();
            try (StreamClient flood = StreamClient.connect(server.baseUrl(), flooder.token());
                 StreamClient steady = StreamClient.connect(server.baseUrl(), calm.token())) {
                AtomicBoolean floodOver = new AtomicBoolean();
                List<String> calmAnswers = Collections.synchronizedList(new ArrayList<>());
                List<Long> calmMillis = Collections.synchronizedList(new ArrayList<>());
                Thread calmSender = Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < 200 && (i < 20 || !floodOver.get()); i++) {
                        long t0 = System.nanoTime();
                        JsonNode answer = sendAndAwaitAnswer(steady, calmConversation, "calm " + i);
                        calmMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                        calmAnswers.add(answer == null ? "stream closed" : answer.path("type").asText().equals("ack")
                                ? "ack" : "error " + answer.path("error").path("code").asText());
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });

                int acked = 0;
                int limited = 0;
                List<String> other = new ArrayList<>();
                long floodStart = System.nanoTime();
                // bounded: the server must close the stream long before 5,000 frames or 60 s
                while (!flood.isClosed() && acked + limited < 5_000
                        && System.nanoTime() - floodStart < TimeUnit.SECONDS.toNanos(60)) {
                    JsonNode answer;
                    try {
                        answer = sendAndAwaitAnswer(flood, floodConversation, "flood");
                    } catch (java.util.concurrent.CompletionException closedUnderUs) {
                        break;
                    }
                    if (answer == null) {
                        continue;
                    }
                    if (answer.path("type").asText().equals("ack")) {
                        acked++;
                    } else if (answer.path("error").path("code").asText().equals("rate_limited")) {
                        limited++;
                        assertThat(answer.path("error").path("retryAfter").asInt()).as(answer.toString())
                                .isPositive();
                        assertThat(answer.path("clientMsgId").asText()).isNotBlank();
                    } else {
                        other.add(answer.toString());
                    }
                }
                double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
                int closeCode = flood.awaitClose(Duration.ofSeconds(10));
                floodOver.set(true);
                calmSender.join(60_000);

                System.out.printf("socket flood: %d acked, %d rate_limited, closed with %d after %.2f s; calm user: "
                        + "%d sends, answers %s, latency max %d ms%n", acked, limited, closeCode, floodSeconds,
                        calmAnswers.size(), new java.util.TreeSet<>(calmAnswers),
                        calmMillis.stream().mapToLong(Long::longValue).max().orElse(0));
                assertThat(other).isEmpty();
                assertThat(limited).isPositive();
                assertThat(closeCode).isEqualTo(1008);
                // a burst of 30, then 30 per second
                assertThat(acked).isLessThanOrEqualTo((int) (30 + 30 * floodSeconds) + 5);
                assertThat(api.get("/v1/conversations/" + floodConversation, flooder.token()).json()
                        .path("lastSeq").asLong()).as("only acknowledged sends are stored").isEqualTo(acked);

                assertThat(calmAnswers).hasSizeGreaterThanOrEqualTo(20).containsOnly("ack");
                List<Long> sorted = new ArrayList<>(calmMillis);
                Collections.sort(sorted);
                assertThat(sorted.get(sorted.size() / 2)).isLessThan(1_000);
                assertThat(api.get("/v1/conversations/" + calmConversation, calm.token()).json().path("lastSeq")
                        .asLong()).isEqualTo(calmAnswers.size());
                // the stream was closed, not the account: the flooder connects again
                StreamClient.connect(server.baseUrl(), flooder.token()).close();
            }
        }
    }

    /**
     * The other side of the rule above: a client that overshoots its bucket once, here an offline queue of 100
     * messages sent at once, gets refusals for the excess but keeps its stream.
     */
    @Test
    void aSocketBurstOverItsBucketIsRefusedInPartButNotDisconnected() {
        try (TestServer server = start(null)) {
            ApiClient api = server.client();
            TestUser sender = api.newUser("burst");
            long conversation = api.direct(sender, api.newUser("friend"));
            try (StreamClient stream = StreamClient.connect(server.baseUrl(), sender.token())) {
                for (int i = 0; i < 100; i++) {
                    stream.send(Map.of("type", "send", "conversationId", conversation,
                            "clientMsgId", UUID.randomUUID().toString(), "body", "queued " + i));
                }
                stream.send(Map.of("type", "ping"));
                List<String> answers = new ArrayList<>();
                JsonNode frame;
                do {
                    frame = stream.next(Duration.ofSeconds(30));
                    String type = frame.path("type").asText();
                    if (type.equals("ack") || type.equals("error")) {
                        answers.add(type.equals("ack") ? "ack" : frame.path("error").path("code").asText());
                    }
                } while (!frame.path("type").asText().equals("pong"));
                assertThat(answers).hasSize(100).containsOnly("ack", "rate_limited").contains("rate_limited");
                assertThat(stream.isClosed()).isFalse();
            }
        }
    }

    /** Sends one message over {@code stream}; its ack or error frame, or null once the stream is closed. */
    private static JsonNode sendAndAwaitAnswer(StreamClient stream, long conversation, String body) {
        String clientMsgId = UUID.randomUUID().toString();
        stream.send(Map.of("type", "send", "conversationId", conversation, "clientMsgId", clientMsgId,
                "body", body));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            JsonNode frame = stream.poll(Duration.ofMillis(100));
            if (frame == null) {
                if (stream.isClosed()) {
                    return null;
                }
                continue;
            }
            String type = frame.path("type").asText();
            boolean answer = type.equals("ack") || type.equals("error");
            if (answer && frame.path("clientMsgId").asText().equals(clientMsgId)) {
                return frame;
            }
        }
        throw new AssertionError("no answer to a send within 10 s");
    }

    private static Response createAccount(ApiClient api, String username) {
        return api.post("/v1/accounts", null, Map.of("username", username, "password", ApiClient.PASSWORD));
    }

    private static int createAccountFrom(HttpClient http, TestServer server, String forwardedFor) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/accounts"))
                .header("Content-Type", "application/json")
                .header("X-Forwarded-For", forwardedFor)
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\": \"" + ApiClient.uniqueUsername("fwd")
                        + "\", \"password\": \"" + ApiClient.PASSWORD + "\"}"))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** A flooding user and a calm one, each in a direct conversation with the same friend. */
    private record FloodScene(TestUser flooder, TestUser calm, long floodConversation, long calmConversation) {

        static FloodScene create(ApiClient api) {
            TestUser flooder = api.newUser("flood");
            TestUser calm = api.newUser("calm");
            TestUser friend = api.newUser("friend");
            return new FloodScene(flooder, calm, api.direct(flooder, friend), api.direct(calm, friend));
        }
    }
}
