package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL stopped and started again under load: fail fast, lose nothing, recover by itself. */
class DatabaseOutageTest {

    private static final int CLIENTS = 8;

    @Test
    void aDatabaseRestartMidLoadFailsFastLosesNothingAndRecoversWithinSeconds(@TempDir Path dataDir)
            throws Exception {
        try (TestServer server = TestServer.start(TestServer.embeddedConfig(dataDir).withFaultInjection(true))) {
            ApiClient api = server.client();
            List<PoolEvent> events = new CopyOnWriteArrayList<>();
            server.server().database().addListener(events::add);
            List<TestUser> users = new ArrayList<>();
            List<Long> conversations = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                users.add(api.newUser("outage"));
            }
            for (int i = 0; i < CLIENTS; i++) {
                conversations.add(api.direct(users.get(i), users.get((i + 1) % CLIENTS)));
            }
            MessageLedger ledger = new MessageLedger();
            List<Long> unavailableMillis = Collections.synchronizedList(new ArrayList<>());
            AtomicLong lastSuccessNanos = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            long hardStop = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);

            long downSwitchMillis;
            long upSwitchMillis;
            long readyAfterMillis;
            long firstSendAfterMillis;
            try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    TestUser user = users.get(c);
                    long conversation = conversations.get(c);
                    running.add(clients.submit(() -> {
                        while (!stop.get() && System.nanoTime() < hardStop) {
                            long start = System.nanoTime();
                            Response r = ledger.send(api, user, conversation);
                            if (r.status() / 100 == 2) {
                                lastSuccessNanos.set(System.nanoTime());
                            } else {
                                if ("unavailable".equals(r.errorCode())) {
                                    unavailableMillis.add((System.nanoTime() - start) / 1_000_000);
                                }
                                Thread.sleep(20);
                            }
                        }
                        return null;
                    }));
                }
                Thread.sleep(2_000);

                long t0 = System.nanoTime();
                assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("databaseDown", true))
                        .json().path("databaseDown").asBoolean()).isTrue();
                downSwitchMillis = (System.nanoTime() - t0) / 1_000_000;
                Response notReady = awaitReadiness(api, 503);
                assertThat(notReady.json().path("checks").path("database").path("detail").asText())
                        .contains("unreachable");
                Thread.sleep(3_000);

                long t1 = System.nanoTime();
                assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("databaseDown", false))
                        .status()).isEqualTo(200);
                long back = System.nanoTime();
                upSwitchMillis = (back - t1) / 1_000_000;
                awaitReadiness(api, 200);
                readyAfterMillis = (System.nanoTime() - back) / 1_000_000;
                long deadline = back + TimeUnit.SECONDS.toNanos(30);
                while (lastSuccessNanos.get() < back && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                firstSendAfterMillis = (lastSuccessNanos.get() - back) / 1_000_000;
                Thread.sleep(2_000);
                stop.set(true);
                for (Future<?> f : running) {
                    f.get(60, TimeUnit.SECONDS);
                }
            }

            System.out.printf("database outage: stop took %d ms, start took %d ms; ready again %d ms and first"
                            + " acknowledged send %d ms after the database was back; 503 unavailable answered in"
                            + " p50 %d ms / max %d ms; outcomes %s; %d acknowledged%n",
                    downSwitchMillis, upSwitchMillis, readyAfterMillis, firstSendAfterMillis,
                    LeakUnderLoadTest.percentile(unavailableMillis, 50),
                    LeakUnderLoadTest.percentile(unavailableMillis, 100), ledger.outcomes(),
                    ledger.acknowledgedCount());

            assertThat(readyAfterMillis).isLessThan(5_000);
            assertThat(firstSendAfterMillis).isBetween(0L, 5_000L);
            assertThat(unavailableMillis).isNotEmpty();
            assertThat(LeakUnderLoadTest.percentile(unavailableMillis, 50)).isLessThan(1_000);
            assertThat(events).anyMatch(PoolEvent.DatabaseUnreachable.class::isInstance);
            assertThat(events).anyMatch(PoolEvent.DatabaseReachable.class::isInstance);
            ledger.verify(api, users.getFirst(), conversations.subList(0, 1));
            for (int c = 1; c < CLIENTS; c++) {
                ledger.verify(api, users.get(c), conversations.subList(c, c + 1));
            }
        }
    }

    static Response awaitReadiness(ApiClient api, int status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Response r;
        do {
            r = api.get("/health/ready", null);
            if (r.status() == status) {
                return r;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("readiness never became " + status + ": " + r);
    }
}
