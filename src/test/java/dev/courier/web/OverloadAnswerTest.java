package dev.courier.web;

import static dev.courier.testing.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.CourierConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Concurrently;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database that cannot serve in time is answered with {@code 503 overloaded} and {@code Retry-After}, not with
 * a hang: a statement stuck behind a lock gives up at the lock timeout, and a request that finds every
 * connection taken gives up at the pool's short acquire deadline.
 */
class OverloadAnswerTest {

    // One connection, so that a single stuck request takes the whole pool.
    @RegisterExtension
    static final TestServerExtension sharedServer =
            TestServerExtension.configuredBy(cfg -> cfg.withPool(cfg.pool().withMaxSize(1)));
    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    @Test
    void aStatementStuckBehindALockIsAnsweredOverloadedAndAFullPoolToo() throws Exception {
        TestUser ann = api.newUser("ann");
        long group = api.group(ann, "locked");

        List<Response> answers;
        List<Long> millis = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable lock = TestDatabase.lockTable(server.config().database().external().orElseThrow(),
                "conversations")) {
            answers = Concurrently.run(2, i -> {
                if (i == 1) {
                    sleep(300); // the first request holds the only connection by now
                }
                long start = System.nanoTime();
                Response r = api.get("/v1/conversations/" + group, ann.token());
                millis.add((System.nanoTime() - start) / 1_000_000);
                return r;
            });
        }
        System.out.println("overloaded answers after (ms): " + millis);

        for (Response r : answers) {
            assertError(r, 503, "overloaded", null);
        }
        assertThat(api.get("/v1/conversations/" + group, ann.token()).status()).isEqualTo(200);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
