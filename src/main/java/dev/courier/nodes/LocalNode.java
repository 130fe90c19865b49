package dev.courier.nodes;

import dev.courier.config.CourierConfig;
import dev.courier.config.PoolConfig;
import dev.courier.config.StreamConfig;
import dev.courier.ratelimit.Limit;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * This node: its identity for the life of the process, and what it reports of its settings at each heartbeat. The
 * configuration is read once; the live parts (the admission limit, whether a proxy was seen, the alert engine's last
 * evaluation) through the suppliers the composition root hands in.
 */
public final class LocalNode {

    private final UUID id = UUID.randomUUID();
    private final Instant startedAt = Instant.now();
    private final String version;
    private final String schemaVersion;
    private final CourierConfig config;
    private final Integer databasePort;
    private final IntSupplier admissionLimit;
    private final BooleanSupplier forwardedForSeen;
    private final Supplier<Optional<Instant>> alertsEvaluatedAt;

    public LocalNode(String version, String schemaVersion, CourierConfig config, Integer databasePort,
                     IntSupplier admissionLimit, BooleanSupplier forwardedForSeen,
                     Supplier<Optional<Instant>> alertsEvaluatedAt) {
        this.version = version;
        this.schemaVersion = schemaVersion;
        this.config = config;
        this.databasePort = databasePort;
        this.admissionLimit = admissionLimit;
        this.forwardedForSeen = forwardedForSeen;
        this.alertsEvaluatedAt = alertsEvaluatedAt;
    }

    public UUID id() {
        return id;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public String version() {
        return version;
    }

    public String schemaVersion() {
        return schemaVersion;
    }

    /** The settings as of now, without what only a database session shows ({@link NodeRegistry} adds that). */
    NodeSettings settings() {
        boolean listen = config.stream().bus().equals(StreamConfig.POSTGRES);
        Map<String, String> limits = new LinkedHashMap<>();
        for (Limit limit : Limit.values()) {
            config.security().rateLimits().rate(limit).ifPresent(rate -> limits.put(limit.configName(), rate.tokens()
                    + "/" + asOption(rate.period())));
        }
        PoolConfig pool = config.pool();
        Map<String, String> timeouts = new LinkedHashMap<>();
        timeouts.put("statement_timeout", millis(pool.statementTimeout()));
        timeouts.put("idle_in_transaction_session_timeout", millis(pool.idleInTransactionTimeout()));
        timeouts.put("lock_timeout", millis(pool.lockTimeout()));
        return new NodeSettings(
                pool.maxSize(),
                listen ? 1 : 0,
                listen ? StreamConfig.POSTGRES : withoutCredentials(URI.create(config.stream().bus())),
                admissionLimit.getAsInt(),
                config.faultInjection(),
                limits,
                config.alerts().webhooks().stream().map(LocalNode::webhookTarget).toList(),
                config.security().trustedProxies().size(),
                config.security().corsOrigins(),
                config.adminToken().map(String::length).orElse(0),
                timeouts,
                Map.of(),
                databasePort,
                null,
                forwardedForSeen.getAsBoolean(),
                alertsEvaluatedAt.get().orElse(null),
                0);
    }

    /**
     * A webhook as far as it can be shown: scheme, host and port, and the path only when it is Alertmanager's API,
     * for paths of other receivers (Slack, chat relays) often hold the secret.
     */
    static String webhookTarget(URI hook) {
        String origin = withoutCredentials(hook);
        String path = hook.getRawPath() == null ? "" : hook.getRawPath();
        return path.matches("/api/v[12]/alerts/?") ? origin + path : origin;
    }

    private static String withoutCredentials(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }

    /** As {@code --rate-limits} writes a period: {@code 1s}, {@code 15m}, {@code 1h}. */
    private static String asOption(Duration d) {
        long ms = d.toMillis();
        for (var unit : new Object[][] {{86_400_000L, "d"}, {3_600_000L, "h"}, {60_000L, "m"}, {1_000L, "s"}}) {
            if (ms % (long) unit[0] == 0) {
                return ms / (long) unit[0] + (String) unit[1];
            }
        }
        return ms + "ms";
    }

    /** As PostgreSQL shows a duration setting in milliseconds ({@code SHOW statement_timeout}: {@code 5s}). */
    private static String millis(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "min";
        }
        return ms % 1_000 == 0 ? ms / 1_000 + "s" : ms + "ms";
    }
}
