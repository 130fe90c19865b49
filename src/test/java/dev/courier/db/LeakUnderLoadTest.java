package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A pool of 10 under 40 clients while 5% of requests leak a connection: the service stays up and heals itself. */
class LeakUnderLoadTest {

    private static final int POOL = 10;
    private static final int CLIENTS = 40;
    private static final long LOAD_MILLIS = 15_000;
    /** Pacing like people typing, so the offered load stays under what two shared cores serve without leaks. */
    private static final long THINK_MILLIS = 100;
    private static final long ACQUIRE_MILLIS = Long.parseLong(
            System.getenv().getOrDefault("COURIER_TEST_ACQUIRE_MS", "500"));
    private static final int MAX_REQUESTS_PER_CLIENT = 3_000;
    private static final double LEAK_RATE = Double.parseDouble(System.getenv().getOrDefault("COURIER_TEST_LEAK_RATE", "0.05"));

    @Test
    void fivePercentLeakingRequestsAreNamedAndReclaimedWhileNinetyNinePercentSucceed() throws Exception {
        try (TestServer server = TestServer.start(cfg -> cfg.withPool(pool(cfg.pool())).withFaultInjection(true))) {
            ApiClient api = server.client();
            Map<Long, Long> suspectedAtNanos = new ConcurrentHashMap<>();
            List<Long> detectionMillis = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Long> reclaimMicros = java.util.Collections.synchronizedList(new ArrayList<>());
            List<String> leakingCallSites = java.util.Collections.synchronizedList(new ArrayList<>());
            server.server().database().addListener(event -> {
                switch (event) {
                    case PoolEvent.LeakSuspected s -> {
                        suspectedAtNanos.put(s.lease().id(), System.nanoTime());
                        detectionMillis.add(s.heldMillis());
                        leakingCallSites.add(s.lease().callSite());
                    }
                    case PoolEvent.LeakReclaimed r -> {
                        Long at = suspectedAtNanos.get(r.lease().id());
                        if (at != null) {
                            reclaimMicros.add((System.nanoTime() - at) / 1_000);
                        }
                    }
                    default -> { }
                }
            });

            List<TestUser> users = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                users.add(api.newUser("leak"));
            }
            List<Long> conversations = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                conversations.add(api.direct(users.get(i), users.get((i + 1) % CLIENTS)));
            }
            Response on = api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("leakRate", LEAK_RATE));
            assertThat(on.status()).isEqualTo(200);
            assertThat(on.json().path("leakRate").asDouble()).isEqualTo(LEAK_RATE);

            AtomicLong ok = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOAD_MILLIS);
            CountDownLatch go = new CountDownLatch(1);
            try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    TestUser user = users.get(c);
                    long conversation = conversations.get(c);
                    running.add(clients.submit(() -> {
                        go.await();
                        for (int n = 0; n < MAX_REQUESTS_PER_CLIENT && System.nanoTime() < deadline; n++) {
                            // Reads outnumber writes in a messaging service: one send, then three reads.
                            Response r = switch (n % 4) {
                                case 0 -> api.sendMessage(user, conversation, "message " + n);
                                case 2 -> api.get("/v1/conversations/" + conversation, user.token());
                                default -> api.get("/v1/conversations/" + conversation
                                        + "/messages?after=0&limit=20", user.token());
                            };
                            Thread.sleep(THINK_MILLIS);
                            if (r.status() / 100 == 2) {
                                ok.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                                failures.computeIfAbsent(r.status() + " " + r.errorCode(), k -> new AtomicLong())
                                        .incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : running) {
                    f.get(LOAD_MILLIS + 60_000, TimeUnit.MILLISECONDS);
                }
            }
            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("leakRate", 0)).status())
                    .isEqualTo(200);

            String metrics = api.get("/metrics", null).body();
            metrics.lines().filter(l -> l.startsWith("hikaricp_connections_creation_seconds")
                    || l.startsWith("hikaricp_connections_acquire_seconds_max")
                    || l.startsWith("courier_db_connection_hold_seconds_max")
                    || l.startsWith("courier_db_connection_hold_seconds_sum")
                    || l.startsWith("courier_db_connection_hold_seconds_count")).forEach(System.out::println);
            long total = ok.get() + failed.get();
            double successRate = 100.0 * ok.get() / total;
            JsonNode pool = awaitFullPool(api);
            System.out.printf("leak under load (acquire deadline " + ACQUIRE_MILLIS + " ms): %d requests, %.2f%% succeeded, failures %s; %d leaks, detected after"
                            + " p50 %d ms / max %d ms of holding, reclaimed p50 %d us / max %d us after detection;"
                            + " pool at the end %s%n",
                    total, successRate, failures, detectionMillis.size(), percentile(detectionMillis, 50),
                    percentile(detectionMillis, 100), percentile(reclaimMicros, 50), percentile(reclaimMicros, 100),
                    pool);

            assertThat(total).isGreaterThan(1_000);
            assertThat(successRate).isGreaterThanOrEqualTo(99.0);
            assertThat(detectionMillis).hasSizeGreaterThan(10);
            // Every leak was named by its call site and taken back; nothing else leaked.
            assertThat(leakingCallSites).containsOnly("fault.leak");
            assertThat(reclaimMicros).hasSameSizeAs(detectionMillis);
            assertThat(pool.path("suspectedLeaks").asLong()).isEqualTo(detectionMillis.size());
            assertThat(pool.path("reclaimedLeaks").asLong()).isEqualTo(detectionMillis.size());
            // The pool ends full and healthy, without a restart.
            assertThat(pool.path("leases").size()).isZero();
            assertThat(pool.path("idle").asInt()).isEqualTo(POOL);
            assertThat(api.get("/health/ready", null).status()).isEqualTo(200);
        }
    }

    /**
     * A pool of 10 with a 500 ms acquisition deadline: still "a few hundred milliseconds", but tolerant of the
     * scheduling stalls of a CI machine whose two cores are shared with other builds (at the 250 ms default the
     * stalls, not the leaks, decide the figure there).
     */
    private static dev.courier.config.PoolConfig pool(dev.courier.config.PoolConfig base) {
        return new dev.courier.config.PoolConfig(POOL, java.time.Duration.ofMillis(ACQUIRE_MILLIS),
                base.statementTimeout(), base.idleInTransactionTimeout(), base.lockTimeout(), base.leakWarning(),
                base.leakReclaim());
    }

    private static JsonNode awaitFullPool(ApiClient api) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        JsonNode pool;
        do {
            pool = api.get("/v1/admin/pool", TestServer.ADMIN_TOKEN).json();
            if (pool.path("idle").asInt() == POOL && pool.path("leases").isEmpty()) {
                return pool;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return pool;
    }

    static long percentile(List<Long> values, int p) {
        List<Long> sorted;
        synchronized (values) {
            sorted = values.stream().sorted().toList();
        }
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - (p == 0 ? 0 : 1)));
    }
}
