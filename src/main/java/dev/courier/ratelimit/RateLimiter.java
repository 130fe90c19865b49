package dev.courier.ratelimit;

import dev.courier.config.Rate;
import dev.courier.config.RateLimitConfig;
import dev.courier.db.Database;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The token buckets of the contract's rate limits, kept in PostgreSQL so that every node of a deployment draws
 * from the same buckets. A check is one short auto-commit statement on an unlogged table, taken and returned
 * before the caller's own work, so it never holds a second connection alongside it.
 *
 * <p>A REST request spends the bucket its route declares ({@code web.RoutePolicy}), a stream frame the bucket its
 * type declares ({@code stream.ClientFrame}), both through {@link #check(Limit, String)} or {@link #checkUser}: a
 * client over its limit gets {@code 429 rate_limited} (an {@code error} frame on the socket) with the seconds
 * until a token is back.
 */
public final class RateLimiter {

    private static final int MAX_KEY_CHARS = 100;

    private final Database db;
    private final RateLimitConfig config;
    private final BucketStore store = new BucketStore();

    public RateLimiter(Database db, RateLimitConfig config) {
        this.db = db;
        this.config = config;
    }

    public RateLimitConfig config() {
        return config;
    }

    /** Takes a token from the bucket of {@code limit} for user {@code userId}, or throws {@code rate_limited}. */
    public void checkUser(Limit limit, long userId) {
        check(limit, Long.toString(userId));
    }

    /** Takes a token from the bucket of {@code limit} for {@code key}, or throws {@code rate_limited}. */
    public void check(Limit limit, String key) {
        Optional<Rate> rate = config.rate(limit);
        if (rate.isEmpty()) {
            return;
        }
        BucketStore.Take take = take(limit, rate.get(), key);
        if (!take.allowed()) {
            throw limited(limit, rate.get(), take.tokensLeft());
        }
    }

    /** Takes a token without refusing anything, for events that already happened (a failed login); the tokens left. */
    double record(Limit limit, Rate rate, String key) {
        return take(limit, rate, key).tokensLeft();
    }

    /** Throws {@code rate_limited} when the bucket has no whole token left, without taking one. */
    void requireToken(Limit limit, Rate rate, String key) {
        double level = db.withHandle("ratelimit.level", h ->
                store.level(h, limit.configName(), bucketKey(key), rate.tokens(), rate.tokensPerSecond()));
        if (level < 1) {
            throw limited(limit, rate, level);
        }
    }

    /** Drops buckets that have refilled completely; run now and then so the table holds only active clients. */
    public int deleteRefilledBuckets() {
        int deleted = 0;
        for (Limit limit : Limit.values()) {
            Optional<Rate> rate = config.rate(limit);
            if (rate.isPresent()) {
                deleted += db.withHandle("ratelimit.cleanup",
                        h -> store.deleteRefilled(h, limit.configName(), rate.get().period()));
            }
        }
        return deleted;
    }

    private BucketStore.Take take(Limit limit, Rate rate, String key) {
        return db.withHandle("ratelimit." + limit.configName(), h -> store.take(h, limit.configName(), bucketKey(key),
                rate.tokens(), rate.tokensPerSecond(), 1));
    }

    private static ApiException limited(Limit limit, Rate rate, double tokensLeft) {
        double missing = Math.max(0, 1 - tokensLeft);
        int seconds = (int) Math.min(Integer.MAX_VALUE, Math.max(1, Math.ceil(missing / rate.tokensPerSecond())));
        return new ApiException(ErrorCode.RATE_LIMITED, "too many requests (" + limit.configName()
                + "); retry in " + seconds + " s", null, seconds);
    }

    /**
     * Keys come from clients (usernames, forwarded addresses): anything long or not plain printable ASCII is
     * stored as its hash, so no key can break the SQL text type (NUL) or bloat the table.
     */
    static String bucketKey(String key) {
        if (key.length() <= MAX_KEY_CHARS && key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return key;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
