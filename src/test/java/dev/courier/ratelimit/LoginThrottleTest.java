package dev.courier.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.RateLimitConfig;
import dev.courier.config.SecurityConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private static TestServer start(String spec) {
        return TestServer.start(cfg -> cfg.withSecurity(SecurityConfig.defaults()
                .withRateLimits(RateLimitConfig.parse(spec))));
    }

    @Test
    void repeatedFailuresLockAUsernameOutWithTheSameAnswersWhetherOrNotItExists() {
        try (TestServer server = start("login-failures=4/1m")) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("alice");
            List<String> existing = failUntilLocked(api, alice.username());
            List<String> unknown = failUntilLocked(api, ApiClient.uniqueUsername("nobody"));
            assertThat(existing).isEqualTo(unknown);
            assertThat(existing).containsExactly(
                    "401 invalid_credentials", "401 invalid_credentials", "401 invalid_credentials",
                    "401 invalid_credentials", "429 rate_limited");

            // locked out even with the right password, for about one refill interval (15 s)
            Response right = login(api, alice.username(), ApiClient.PASSWORD);
            assertThat(right.status()).isEqualTo(429);
            assertThat(Integer.parseInt(right.header("Retry-After"))).isBetween(1, 15);
            // other users are not affected
            TestUser bob = api.newUser("bob");
            assertThat(login(api, bob.username(), ApiClient.PASSWORD).status()).isEqualTo(201);
        }
    }

    @Test
    void aLockOutEndsByItselfWhenTheBucketRefills() throws InterruptedException {
        try (TestServer server = start("login-failures=2/2s")) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("alice");
            login(api, alice.username(), "wrong password");
            login(api, alice.username(), "wrong password");
            Response locked = login(api, alice.username(), ApiClient.PASSWORD);
            assertThat(locked.status()).isEqualTo(429);
            Thread.sleep(Integer.parseInt(locked.header("Retry-After")) * 1000L + 200);
            assertThat(login(api, alice.username(), ApiClient.PASSWORD).status()).isEqualTo(201);
        }
    }

    @Test
    void oneAddressGuessingAcrossManyUsernamesIsLockedOutToo() {
        try (TestServer server = start("login-failures=2/1h")) {
            ApiClient api = server.client();
            List<Integer> statuses = new ArrayList<>();
            // each name fails once, far under its own limit; the address allows 5 x 2 failures
            for (int i = 0; i < 11; i++) {
                statuses.add(login(api, ApiClient.uniqueUsername("victim"), "guess").status());
            }
            assertThat(statuses.subList(0, 10)).containsOnly(401);
            assertThat(statuses.get(10)).isEqualTo(429);
        }
    }

    @Test
    void aFailedLoginTakesAboutAsLongForAnUnknownNameAsForAKnownOne() {
        try (TestServer server = start("login-failures=1000/1m")) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("alice");
            // warm up both paths
            login(api, alice.username(), "wrong password");
            login(api, "nobody-at-all", "wrong password");
            List<Long> known = new ArrayList<>();
            List<Long> unknown = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                known.add(timeLogin(api, alice.username()));
                unknown.add(timeLogin(api, ApiClient.uniqueUsername("nobody")));
            }
            long knownMedian = median(known);
            long unknownMedian = median(unknown);
            System.out.printf("failed login median: known user %.1f ms, unknown user %.1f ms%n",
                    knownMedian / 1e6, unknownMedian / 1e6);
            // both run one Argon2id verification; a missing hash would answer many times faster
            assertThat((double) unknownMedian / knownMedian).isBetween(0.5, 2.0);
        }
    }

    private static List<String> failUntilLocked(ApiClient api, String username) {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Response r = login(api, username, "wrong password " + i);
            answers.add(r.status() + " " + r.errorCode());
        }
        return answers;
    }

    private static long timeLogin(ApiClient api, String username) {
        long t0 = System.nanoTime();
        Response r = login(api, username, "wrong password");
        long elapsed = System.nanoTime() - t0;
        assertThat(r.status()).isEqualTo(401);
        return elapsed;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static Response login(ApiClient api, String username, String password) {
        return api.post("/v1/sessions", null, Map.of("username", username, "password", password));
    }
}
