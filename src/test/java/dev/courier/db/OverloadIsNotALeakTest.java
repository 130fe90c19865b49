package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.PoolConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * REST traffic on a machine whose every core is also kept busy by other threads, with the leak warning threshold
 * lowered to 100 ms so that requests starved of CPU cross it all the time. None of them may be reported as a leak;
 * with fault injection leaking 5 % of requests in the same overload, every one of those still is, at once, and is
 * taken back. For one second of the first phase the database is slowed as well (fault injection's query latency),
 * so that holds past the threshold happen on any machine, however many cores it has to starve.
 */
class OverloadIsNotALeakTest {

    private static final Duration WARNING = Duration.ofMillis(100);
    private static final long PHASE_MILLIS = 6_000;
    private static final long SLOW_DATABASE_MILLIS = 1_000;
    private static final int CLIENTS = 24;
    private static final double LEAK_RATE = 0.05;

    @Test
    void requestsStarvedOfCpuAreSaturationWhileInjectedLeaksAreStillReportedAndTakenBack() throws Exception {
        try (TestServer server = TestServer.start(cfg -> cfg.withPool(lowWarning(cfg.pool()))
                .withFaultInjection(true))) {
            ApiClient api = server.client();
            List<PoolEvent> events = new CopyOnWriteArrayList<>();
            server.server().database().addListener(events::add);
            List<TestUser> users = new ArrayList<>();
            List<Long> conversations = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                users.add(api.newUser("overload"));
            }
            for (int i = 0; i < CLIENTS; i++) {
                conversations.add(api.direct(users.get(i), users.get((i + 1) % CLIENTS)));
            }

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong requests = new AtomicLong();
            List<Thread> load = new ArrayList<>();
            for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
                load.add(Thread.ofPlatform().daemon().name("cpu-burner-" + i).start(() -> {
                    while (!stop.get()) {
                        Thread.onSpinWait();
                    }
                }));
            }
            for (int i = 0; i < CLIENTS; i++) {
                TestUser user = users.get(i);
                long conversation = conversations.get(i);
                load.add(Thread.ofPlatform().daemon().name("client-" + i).start(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        if (n % 2 == 0) {
                            api.get("/v1/me", user.token());
                        } else {
                            api.sendMessage(user, conversation, "under load " + n);
                        }
                        requests.incrementAndGet();
                    }
                }));
            }

            Thread.sleep(PHASE_MILLIS - SLOW_DATABASE_MILLIS);
            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN,
                    Map.of("queryLatencyMs", 2 * WARNING.toMillis())).status()).isEqualTo(200);
            Thread.sleep(SLOW_DATABASE_MILLIS);
            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("queryLatencyMs", 0)).status())
                    .isEqualTo(200);
            List<PoolEvent> withoutFaults = List.copyOf(events);
            long requestsWithoutFaults = requests.get();
            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("leakRate", LEAK_RATE)).status())
                    .isEqualTo(200);
            Thread.sleep(PHASE_MILLIS);
            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("leakRate", 0)).status())
                    .isEqualTo(200);
            stop.set(true);
            for (Thread t : load) {
                t.join(Duration.ofSeconds(30));
            }
            awaitNoLease(server.server().database());

            List<PoolEvent.SlowHold> slow = ofType(events, PoolEvent.SlowHold.class);
            List<PoolEvent.LeakSuspected> leaks = ofType(events, PoolEvent.LeakSuspected.class);
            Set<Long> reclaimed = ConcurrentHashMap.newKeySet();
            ofType(events, PoolEvent.LeakReclaimed.class).forEach(r -> reclaimed.add(r.lease().id()));
            System.out.printf("overload: %d requests (%d before the leaks were switched on), %d slow holds (%d waiting"
                            + " for CPU), %d leaks reported, %d reclaimed%n", requests.get(), requestsWithoutFaults,
                    slow.size(), slow.stream().filter(s -> s.cause() == Saturation.CPU).count(), leaks.size(),
                    reclaimed.size());

            assertThat(slow).as("holds past the lowered threshold: the overload was real").isNotEmpty();
            assertThat(ofType(withoutFaults, PoolEvent.LeakSuspected.class)).as("leaks before any was injected")
                    .isEmpty();
            assertThat(leaks).as("injected leaks").isNotEmpty();
            assertThat(leaks).allSatisfy(leak -> {
                assertThat(leak.lease().callSite()).isEqualTo("fault.leak");
                assertThat(leak.heldMillis()).isLessThan(2_000);
                assertThat(reclaimed).contains(leak.lease().id());
            });
        }
    }

    private static PoolConfig lowWarning(PoolConfig base) {
        return new PoolConfig(base.maxSize(), base.acquireTimeout(), base.statementTimeout(),
                base.idleInTransactionTimeout(), base.lockTimeout(), WARNING, base.leakReclaim());
    }

    private static <T> List<T> ofType(List<PoolEvent> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static void awaitNoLease(Database database) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!database.pool().leases().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
