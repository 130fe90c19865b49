package dev.courier.ratelimit;

import java.time.Duration;
import org.jdbi.v3.core.Handle;

/** SQL for the {@code rate_buckets} table: one atomic statement per check, with PostgreSQL's clock for every node. */
final class BucketStore {

    /** The outcome of one take: whether a token was taken, and how many are left. */
    record Take(boolean allowed, double tokensLeft) {
    }

    // The bucket's level now: what it held, plus what it earned since, capped at its size.
    private static final String REFILLED =
            "least(:capacity, b.tokens + extract(epoch FROM now() - b.updated_at)::float8 * :perSecond)";

    private static final String TAKE = """
            INSERT INTO rate_buckets AS b (name, key, tokens, allowed, updated_at)
            VALUES (:name, :key, :capacity - :cost, true, now())
            ON CONFLICT (name, key) DO UPDATE SET
                tokens = CASE WHEN %1$s >= :cost THEN %1$s - :cost ELSE %1$s END,
                allowed = %1$s >= :cost,
                updated_at = now()
            RETURNING allowed, tokens""".formatted(REFILLED);

    private static final String LEVEL = "SELECT " + REFILLED + " FROM rate_buckets b WHERE b.name = :name AND b.key = :key";

    Take take(Handle h, String name, String key, double capacity, double perSecond, double cost) {
        return h.createQuery(TAKE)
                .bind("name", name)
                .bind("key", key)
                .bind("capacity", capacity)
                .bind("perSecond", perSecond)
                .bind("cost", cost)
                .map((rs, ctx) -> new Take(rs.getBoolean("allowed"), rs.getDouble("tokens")))
                .one();
    }

    /** The tokens in a bucket right now, without taking any; a bucket never used is full. */
    double level(Handle h, String name, String key, double capacity, double perSecond) {
        return h.createQuery(LEVEL)
                .bind("name", name)
                .bind("key", key)
                .bind("capacity", capacity)
                .bind("perSecond", perSecond)
                .mapTo(Double.class)
                .findOne()
                .orElse(capacity);
    }

    /** Deletes the buckets of {@code name} untouched for a whole period: they are full, as good as absent. */
    int deleteRefilled(Handle h, String name, Duration period) {
        return h.createUpdate("DELETE FROM rate_buckets WHERE name = :name "
                        + "AND updated_at < now() - make_interval(secs => :seconds)")
                .bind("name", name)
                .bind("seconds", period.toMillis() / 1000.0)
                .execute();
    }
}
