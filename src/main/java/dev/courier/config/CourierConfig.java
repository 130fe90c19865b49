package dev.courier.config;

import java.util.Optional;

/** Everything {@code serve} needs, validated once at start and never changed afterwards. */
public record CourierConfig(
        HttpConfig http,
        DatabaseConfig database,
        PoolConfig pool,
        SessionConfig sessions,
        Optional<String> adminToken,
        StreamConfig stream) {

    /** A configuration with the stream's defaults (LISTEN/NOTIFY fan-out). */
    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken) {
        this(http, database, pool, sessions, adminToken, StreamConfig.defaults());
    }

    public CourierConfig withStream(StreamConfig newStream) {
        return new CourierConfig(http, database, pool, sessions, adminToken, newStream);
    }
}
