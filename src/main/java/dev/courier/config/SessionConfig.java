package dev.courier.config;

import java.time.Duration;

/**
 * @param ttl              how long a session token stays valid after login
 * @param passwordHashCost Argon2id iterations; raise it on faster hardware, lower it only for load tests
 */
public record SessionConfig(Duration ttl, int passwordHashCost) {

    public static SessionConfig defaults() {
        return new SessionConfig(Duration.ofDays(30), 2);
    }

    public SessionConfig {
        if (ttl.toMinutes() < 1) {
            throw new IllegalArgumentException("--session-ttl must be at least one minute");
        }
        if (passwordHashCost < 1 || passwordHashCost > 10) {
            throw new IllegalArgumentException("--password-hash-cost must be between 1 and 10");
        }
    }
}
