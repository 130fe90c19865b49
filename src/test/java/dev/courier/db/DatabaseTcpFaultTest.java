package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.JdbcTarget;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TcpFaultProxy;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A slow network, then every connection reset mid-transaction, between Courier and PostgreSQL. */
class DatabaseTcpFaultTest {

    private static final int CLIENTS = 8;

    @Test
    void latencyAndConnectionsResetMidTransactionLeaveNoStuckThreadAndNoHalfWrittenMessage() throws Exception {
        JdbcTarget direct = TestDatabase.freshDatabase();
        try (TcpFaultProxy proxy = new TcpFaultProxy(TestDatabase.port())) {
            JdbcTarget viaProxy = new JdbcTarget(direct.jdbcUrl().replace(":" + TestDatabase.port() + "/",
                    ":" + proxy.port() + "/"), direct.user(), direct.password());
            assertThat(viaProxy.jdbcUrl()).contains(":" + proxy.port() + "/");
            try (TestServer server = TestServer.start(TestServer.defaultConfig(viaProxy))) {
                ApiClient api = server.client();
                List<TestUser> users = new ArrayList<>();
                List<Long> conversations = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    users.add(api.newUser("tcp"));
                }
                for (int i = 0; i < CLIENTS; i++) {
                    conversations.add(api.direct(users.get(i), users.get((i + 1) % CLIENTS)));
                }
                MessageLedger ledger = new MessageLedger();
                AtomicBoolean stop = new AtomicBoolean();
                long hardStop = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int dropped = 0;
                try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
                    List<Future<?>> running = new ArrayList<>();
                    for (int c = 0; c < CLIENTS; c++) {
                        TestUser user = users.get(c);
                        long conversation = conversations.get(c);
                        running.add(clients.submit(() -> {
                            while (!stop.get() && System.nanoTime() < hardStop) {
                                if (ledger.send(api, user, conversation).status() / 100 != 2) {
                                    Thread.sleep(20);
                                }
                            }
                            return null;
                        }));
                    }
                    Thread.sleep(1_500);
                    proxy.latency(40);
                    Thread.sleep(3_000);
                    // Resets land while transactions are open: with 40 ms per packet each one spans many.
                    for (int i = 0; i < 3; i++) {
                        dropped += proxy.dropAll();
                        Thread.sleep(700);
                    }
                    proxy.latency(0);
                    Thread.sleep(3_000);
                    stop.set(true);
                    for (Future<?> f : running) {
                        f.get(60, TimeUnit.SECONDS);
                    }
                }
                List<String> stuck = awaitNoThreadInTheDriver();
                System.out.printf("tcp faults: %d connections reset; outcomes %s; %d acknowledged%n", dropped,
                        ledger.outcomes(), ledger.acknowledgedCount());
                assertThat(dropped).isGreaterThan(0);
                assertThat(stuck).as("threads still inside the PostgreSQL driver").isEmpty();
                assertThat(ledger.outcomes().getOrDefault("ok", 0L)).isGreaterThan(50);
                assertThat(api.get("/health/ready", null).status()).isEqualTo(200);
                for (int c = 0; c < CLIENTS; c++) {
                    ledger.verify(api, users.get(c), conversations.subList(c, c + 1));
                }
            }
        }
    }

    /** Threads blocked in the driver's socket reads a few seconds after the load stopped would be stuck for good. */
    private static List<String> awaitNoThreadInTheDriver() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<String> inDriver;
        do {
            inDriver = Thread.getAllStackTraces().entrySet().stream()
                    // the bus's LISTEN connection waits in the driver by design; it is not a request thread
                    .filter(e -> !e.getKey().getName().startsWith("courier-listen-"))
                    .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().startsWith("org.postgresql")))
                    .map(e -> e.getKey().getName() + " " + Arrays.toString(Arrays.copyOf(e.getValue(),
                            Math.min(6, e.getValue().length))))
                    .toList();
            if (inDriver.isEmpty()) {
                return inDriver;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return inDriver;
    }
}
