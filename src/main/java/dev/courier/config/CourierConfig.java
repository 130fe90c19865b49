package dev.courier.config;

import java.util.Optional;

/** Everything {@code serve} needs, validated once at start and never changed afterwards. */
public record CourierConfig(
        HttpConfig http,
        DatabaseConfig database,
        PoolConfig pool,
        SessionConfig sessions,
        Optional<String> adminToken,
        AlertConfig alerts) {

    public CourierConfig withAlerts(AlertConfig newAlerts) {
        return new CourierConfig(http, database, pool, sessions, adminToken, newAlerts);
    }
}
