package dev.courier.ratelimit;

import dev.courier.config.Rate;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Slows down and then stops password guessing. Failed logins are counted per username and per client address
 * in the {@code login-failures} buckets (an address gets five times the username's allowance, since many
 * people may share one). Once a bucket's first half is spent, each further failure is answered later and later;
 * once it is empty, attempts get {@code 429} until a token refills, so a lock-out lasts one refill interval
 * and never for good. Every step depends only on the name as typed, never on whether the account exists, and
 * the password check itself costs the same for unknown names: the answers and their timing do not tell.
 */
public final class LoginThrottle {

    /** Per-address allowance, as a multiple of the per-username one. */
    static final int ADDRESS_FACTOR = 5;
    private static final long STEP_MILLIS = 250;
    private static final long MAX_DELAY_MILLIS = 2_000;

    private final RateLimiter limiter;
    private final Optional<Rate> rate;

    public LoginThrottle(RateLimiter limiter) {
        this.limiter = limiter;
        this.rate = limiter.config().rate(Limit.LOGIN_FAILURES);
    }

    /** Runs one login attempt under the throttle: refuses it when locked out, and slows down its failure. */
    public <T> T attempt(String username, String address, Supplier<T> login) {
        if (rate.isEmpty()) {
            return login.get();
        }
        String userKey = userKey(username);
        String addressKey = "address:" + address;
        limiter.requireToken(Limit.LOGIN_FAILURES, rate.get(), userKey);
        limiter.requireToken(Limit.LOGIN_FAILURES, rate.get().times(ADDRESS_FACTOR), addressKey);
        try {
            return login.get();
        } catch (ApiException e) {
            if (e.code() == ErrorCode.INVALID_CREDENTIALS) {
                double userLeft = limiter.record(Limit.LOGIN_FAILURES, rate.get(), userKey);
                double addressLeft = limiter.record(Limit.LOGIN_FAILURES, rate.get().times(ADDRESS_FACTOR), addressKey)
                        / ADDRESS_FACTOR;
                slowDown(Math.min(userLeft, addressLeft), rate.get().tokens());
            }
            throw e;
        }
    }

    /** The delay after a failure: none while half the bucket is left, then one step more per token spent. */
    static long delayMillis(double tokensLeft, int capacity) {
        double spentBeyondHalf = capacity / 2.0 - tokensLeft;
        if (spentBeyondHalf <= 0) {
            return 0;
        }
        return Math.min(MAX_DELAY_MILLIS, (long) Math.ceil(spentBeyondHalf) * STEP_MILLIS);
    }

    private static void slowDown(double tokensLeft, int capacity) {
        long delay = delayMillis(tokensLeft, capacity);
        if (delay == 0) {
            return;
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Keys the bucket by the name as the login would fold it, whether or not such a user exists. */
    static String userKey(String username) {
        return "user:" + username.trim().toLowerCase(Locale.ROOT);
    }
}
