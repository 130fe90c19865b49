package dev.courier.config;

import java.time.Duration;

/**
 * A token bucket's size and refill: {@code tokens} per {@code period}, i.e. a burst of {@code tokens}, refilled
 * evenly over the period.
 */
public record Rate(int tokens, Duration period) {

    public Rate {
        if (tokens < 1 || tokens > 1_000_000) {
            throw new IllegalArgumentException("a rate needs 1 to 1000000 tokens, got " + tokens);
        }
        if (period.toMillis() < 1 || period.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("a rate's period must be between 1ms and 7d, got " + period);
        }
    }

    public double tokensPerSecond() {
        return tokens * 1000.0 / period.toMillis();
    }

    public Rate times(int factor) {
        return new Rate(tokens * factor, period);
    }

    @Override
    public String toString() {
        return tokens + "/" + period;
    }
}
