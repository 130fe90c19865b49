package dev.courier.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How old messages are turned into tombstones ({@code retention.RetentionPurge}).
 *
 * @param maxAge      messages older than this become tombstones; empty: never ({@code --retention off}, the default)
 * @param batchSize   messages per transaction, at most
 * @param pause       between two batches at least; a batch that took longer than a quarter of that is followed by a
 *                    pause of four times its own length, so the purge takes at most a fifth of one connection's time
 *                    and backs off by itself when the database is slow
 * @param lockTimeout how long a batch waits for a lock (a change counter a user's edit holds) before it gives up and
 *                    is tried again after the pause
 * @param idleCheck   how often to look for newly expired messages once none are left
 */
public record RetentionConfig(Optional<Duration> maxAge, int batchSize, Duration pause, Duration lockTimeout,
                              Duration idleCheck) {

    /** The shortest retention accepted: a typo such as {@code 30s} for {@code 30d} would erase almost everything. */
    public static final Duration MIN_AGE = Duration.ofHours(1);

    public static RetentionConfig off() {
        return new RetentionConfig(Optional.empty(), 200, Duration.ofMillis(100), Duration.ofMillis(50),
                Duration.ofMinutes(1));
    }

    /** {@code off}, or a duration such as {@code 90d}. */
    public static RetentionConfig parse(String text) {
        if (text == null || text.isBlank() || text.strip().equals("off")) {
            return off();
        }
        Duration age;
        try {
            age = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--retention must be off or a duration such as 90d: " + e.getMessage());
        }
        return off().withMaxAge(age);
    }

    public RetentionConfig {
        if (maxAge.isPresent() && maxAge.get().compareTo(MIN_AGE) < 0) {
            throw new IllegalArgumentException("--retention must be at least 1h (or off), got " + maxAge.get());
        }
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("the retention batch size must be between 1 and 10000");
        }
        if (pause.isNegative() || lockTimeout.isNegative() || lockTimeout.isZero() || idleCheck.isNegative()
                || idleCheck.isZero()) {
            throw new IllegalArgumentException("retention pauses and timeouts must be positive");
        }
    }

    public RetentionConfig withMaxAge(Duration age) {
        return new RetentionConfig(Optional.of(age), batchSize, pause, lockTimeout, idleCheck);
    }

    public RetentionConfig withBatches(int size, Duration newPause) {
        return new RetentionConfig(maxAge, size, newPause, lockTimeout, idleCheck);
    }

    public RetentionConfig withIdleCheck(Duration every) {
        return new RetentionConfig(maxAge, batchSize, pause, lockTimeout, every);
    }
}
