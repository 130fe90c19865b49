package dev.courier.config;

import java.util.Optional;

/**
 * Everything {@code serve} needs, validated once at start and never changed afterwards.
 *
 * @param faultInjection whether {@code /v1/admin/faults} exists (it also needs the admin token)
 */
public record CourierConfig(
        HttpConfig http,
        DatabaseConfig database,
        PoolConfig pool,
        SessionConfig sessions,
        Optional<String> adminToken,
        AlertConfig alerts,
        boolean faultInjection) {

    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken) {
        this(http, database, pool, sessions, adminToken, AlertConfig.defaults(), false);
    }

    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken, AlertConfig alerts) {
        this(http, database, pool, sessions, adminToken, alerts, false);
    }

    public CourierConfig withFaultInjection(boolean enabled) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, enabled);
    }

    public CourierConfig withAlerts(AlertConfig newAlerts) {
        return new CourierConfig(http, database, pool, sessions, adminToken, newAlerts, faultInjection);
    }
}
