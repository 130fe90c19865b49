package dev.courier.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.config.RateLimitConfig;
import dev.courier.db.Database;
import dev.courier.db.DatabaseTarget;
import dev.courier.db.PooledDatabaseFactory;
import dev.courier.testing.TestDatabase;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bucket statement itself, on a real PostgreSQL: atomic under concurrency, refilling, safe with any key. */
class RateLimiterTest {

    private static Database db;

    @BeforeAll
    static void open() {
        JdbcTarget target = TestDatabase.freshDatabase();
        db = PooledDatabaseFactory.open(new DatabaseTarget(target.jdbcUrl(), target.user(), target.password(), "test"),
                PoolConfig.defaults().withMaxSize(8), new SimpleMeterRegistry(), () -> { });
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void concurrentChecksOnOneBucketNeverHandOutMoreThanItHolds() throws Exception {
        RateLimiter limiter = new RateLimiter(db, RateLimitConfig.parse("messages=100/1h"));
        AtomicInteger allowed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            workers.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 40; i++) {
                    try {
                        limiter.checkUser(Limit.MESSAGES, 42);
                        allowed.incrementAndGet();
                    } catch (ApiException e) {
                        assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                        assertThat(e.retryAfterSeconds()).isBetween(1, 36);
                        refused.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> w : workers) {
            w.get();
        }
        pool.shutdown();
        // 320 attempts within far less than the 36 s one token takes to come back
        assertThat(allowed.get()).isEqualTo(100);
        assertThat(refused.get()).isEqualTo(220);
    }

    @Test
    void bucketsRefillAtTheirRateAndKeysAreSeparate() throws InterruptedException {
        RateLimiter limiter = new RateLimiter(db, RateLimitConfig.parse("writes=2/1s"));
        limiter.checkUser(Limit.WRITES, 7);
        limiter.checkUser(Limit.WRITES, 7);
        assertThatThrownBy(() -> limiter.checkUser(Limit.WRITES, 7)).isInstanceOf(ApiException.class);
        limiter.checkUser(Limit.WRITES, 8);
        Thread.sleep(600);
        limiter.checkUser(Limit.WRITES, 7);
    }

    @Test
    void aKeyWithNulOrHugeTextIsStoredSafely() {
        RateLimiter limiter = new RateLimiter(db, RateLimitConfig.parse("accounts=1/1h"));
        limiter.check(Limit.ACCOUNTS, "a\u0000b");
        assertThatThrownBy(() -> limiter.check(Limit.ACCOUNTS, "a\u0000b")).isInstanceOf(ApiException.class);
        limiter.check(Limit.ACCOUNTS, "x".repeat(100_000));
    }
}
