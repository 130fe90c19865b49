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
        boolean faultInjection,
        StreamConfig stream,
        SecurityConfig security,
        RetentionConfig retention) {

    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken, AlertConfig alerts, boolean faultInjection, StreamConfig stream,
                         SecurityConfig security) {
        this(http, database, pool, sessions, adminToken, alerts, faultInjection, stream, security,
                RetentionConfig.off());
    }

    /**
     * A configuration with default alerting, no fault injection, the stream's defaults (LISTEN/NOTIFY) and no rate
     * limits (see {@link SecurityConfig#withoutRateLimits()}); {@code serve} always passes its real settings.
     */
    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken) {
        this(http, database, pool, sessions, adminToken, AlertConfig.defaults(), false, StreamConfig.defaults(),
                SecurityConfig.withoutRateLimits());
    }

    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken, AlertConfig alerts) {
        this(http, database, pool, sessions, adminToken, alerts, false, StreamConfig.defaults(),
                SecurityConfig.withoutRateLimits());
    }

    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken, AlertConfig alerts, boolean faultInjection) {
        this(http, database, pool, sessions, adminToken, alerts, faultInjection, StreamConfig.defaults(),
                SecurityConfig.withoutRateLimits());
    }

    public CourierConfig withPool(PoolConfig newPool) {
        return new CourierConfig(http, database, newPool, sessions, adminToken, alerts, faultInjection, stream,
                security, retention);
    }

    public CourierConfig withDatabase(DatabaseConfig newDatabase) {
        return new CourierConfig(http, newDatabase, pool, sessions, adminToken, alerts, faultInjection, stream,
                security, retention);
    }

    public CourierConfig withFaultInjection(boolean enabled) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, enabled, stream, security,
                retention);
    }

    public CourierConfig withAlerts(AlertConfig newAlerts) {
        return new CourierConfig(http, database, pool, sessions, adminToken, newAlerts, faultInjection, stream,
                security, retention);
    }

    public CourierConfig withStream(StreamConfig newStream) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, faultInjection, newStream,
                security, retention);
    }

    public CourierConfig withRetention(RetentionConfig newRetention) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, faultInjection, stream, security,
                newRetention);
    }

    public CourierConfig withSecurity(SecurityConfig newSecurity) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, faultInjection, stream,
                newSecurity, retention);
    }
}
