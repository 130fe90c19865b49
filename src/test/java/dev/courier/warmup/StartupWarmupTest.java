package dev.courier.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.PoolConfig;
import dev.courier.db.PoolEvent;
import dev.courier.messages.AnnouncementSource;
import dev.courier.messages.SendRehearsal;
import dev.courier.ops.Health;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestServer;
import dev.courier.web.Draining;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The start-up warm-up rehearses a send on every pooled connection and rolls it back: a started node's database holds
 * nothing of it, the first real messages of a conversation are seq 1, 2, 3, and readiness stays down until it is over.
 */
class StartupWarmupTest {

    private static final List<String> TABLES = List.of("users", "conversations", "memberships", "messages",
            "message_attachments", "sessions");

    @Test
    void aStartedNodeKeepsNoRowOfItsWarmUpAndItsFirstMessagesAreSeqOneTwoThree() {
        try (TestServer server = TestServer.start()) {
            for (String table : TABLES) {
                assertThat(server.queryLong("SELECT count(*) FROM " + table)).as(table).isZero();
            }
            ApiClient api = server.client();
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long conversation = api.group(alice, "after the warm-up", bob);
            for (int i = 1; i <= 3; i++) {
                ApiClient.Response sent = api.sendMessage(alice, conversation, "message " + i);
                assertThat(sent.status()).isEqualTo(201);
                assertThat(sent.json().path("seq").asLong()).isEqualTo(i);
            }
            assertThat(server.queryLong("SELECT count(*) FROM users WHERE username LIKE 'warmup%'")).isZero();
        }
    }

    @Test
    void theDatabaseWarmUpRehearsesOnEveryPooledConnectionAndLeavesNothing() throws Exception {
        try (TestServer server = TestServer.start()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // throws when fewer connections than the pool's rehearsed, or a rehearsal did not store its message
            new DatabaseWarmup(server.server().database(), new SendRehearsal(AnnouncementSource.NONE)::rehearse)
                    .run(deadline);
            for (String table : TABLES) {
                assertThat(server.queryLong("SELECT count(*) FROM " + table)).as(table).isZero();
            }
        }
    }

    @Test
    void theDatabaseWarmUpIsNeverTakenForALeakEvenWithTheLeakWarningAtATenthOfASecond() throws Exception {
        try (TestServer server = TestServer.start(cfg -> cfg.withPool(new PoolConfig(cfg.pool().maxSize(),
                cfg.pool().acquireTimeout(), cfg.pool().statementTimeout(), cfg.pool().idleInTransactionTimeout(),
                cfg.pool().lockTimeout(), Duration.ofMillis(100), cfg.pool().leakReclaim())))) {
            List<PoolEvent> events = new CopyOnWriteArrayList<>();
            server.server().database().addListener(events::add);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // each rehearsal outlasts the warning (PostgreSQL itself is slow: the statement is running), so the
            // connections held while the next ones rehearse are held past it
            SendRehearsal send = new SendRehearsal(AnnouncementSource.NONE);
            new DatabaseWarmup(server.server().database(), h -> {
                send.rehearse(h);
                h.createQuery("SELECT pg_sleep(0.3)").mapToMap().one();
            }).run(deadline);
            Thread.sleep(300); // the reclaimer's next sweeps
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.LeakSuspected
                    || e instanceof PoolEvent.LeakReclaimed).isEmpty();
        }
    }

    @Test
    void readinessIsDownUntilTheWarmUpHasFinished() throws Exception {
        try (TestServer server = TestServer.start()) {
            Warmup warmup = new Warmup(Duration.ofSeconds(20));
            Health health = new Health(server.server().database(), new Draining(), warmup);
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            WarmupStep held = new WarmupStep() {
                @Override
                public String name() {
                    return "a step the test holds";
                }

                @Override
                public void run(long deadlineNanos) throws InterruptedException {
                    started.countDown();
                    release.await();
                }
            };
            Thread running = Thread.ofPlatform().start(() -> warmup.run(List.of(held)));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

            Health.Report during = health.ready();
            assertThat(during.up()).isFalse();
            assertThat(during.checks().get("node").detail()).contains("warming up");

            release.countDown();
            running.join(10_000);
            assertThat(warmup.finished()).isTrue();
            assertThat(health.ready().up()).isTrue();
        }
    }

    @Test
    void aFailingStepIsSkippedAndTheWarmUpStillFinishes() {
        Warmup warmup = new Warmup(Duration.ofSeconds(5));
        WarmupStep failing = new WarmupStep() {
            @Override
            public String name() {
                return "a step that fails";
            }

            @Override
            public void run(long deadlineNanos) {
                throw new IllegalStateException("broken on purpose");
            }
        };
        warmup.run(List.of(failing));
        assertThat(warmup.finished()).isTrue();
    }

    @Test
    void onlyThisNodesOwnMarkMakesARequestAWarmUpRequest() {
        WarmupRequests requests = new WarmupRequests();
        assertThat(requests.isWarmup(requests.mark())).isTrue();
        assertThat(requests.isWarmup(new WarmupRequests().mark())).isFalse();
        assertThat(requests.isWarmup(null)).isFalse();
        assertThat(requests.isWarmup("")).isFalse();
    }
}
