package dev.courier.config;

import java.util.Optional;

/** Everything {@code serve} needs, validated once at start and never changed afterwards. */
public record CourierConfig(
        HttpConfig http,
        DatabaseConfig database,
        PoolConfig pool,
        SessionConfig sessions,
        Optional<String> adminToken,
        SecurityConfig security) {

    /** A configuration without rate limits (see {@link SecurityConfig#withoutRateLimits()}). */
    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken) {
        this(http, database, pool, sessions, adminToken, SecurityConfig.withoutRateLimits());
    }

    public CourierConfig withSecurity(SecurityConfig security) {
        return new CourierConfig(http, database, pool, sessions, adminToken, security);
    }
}
