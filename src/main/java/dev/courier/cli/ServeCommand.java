package dev.courier.cli;

import dev.courier.config.CourierConfig;
import dev.courier.config.DatabaseConfig;
import dev.courier.config.Durations;
import dev.courier.config.HttpConfig;
import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.config.RateLimitConfig;
import dev.courier.config.SecurityConfig;
import dev.courier.config.SessionConfig;
import dev.courier.config.StreamLimits;
import dev.courier.server.CourierServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code courier serve}: runs one node until SIGTERM or SIGINT, then stops gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run a Courier server. Without --db-url it starts an embedded PostgreSQL in --data-dir.")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "${env:COURIER_PORT:-8080}",
            description = "HTTP and WebSocket port (env COURIER_PORT).")
    int port;

    @Option(names = "--host", defaultValue = "${env:COURIER_HOST:-0.0.0.0}",
            description = "Address to listen on (env COURIER_HOST).")
    String host;

    @Option(names = "--data-dir", defaultValue = "${env:COURIER_DATA_DIR:-./courier-data}",
            description = "Where the embedded PostgreSQL keeps its data (env COURIER_DATA_DIR).")
    Path dataDir;

    @Option(names = "--db-url", defaultValue = "${env:DATABASE_URL}",
            description = "External PostgreSQL: postgresql://user[:password]@host:port/db or "
                    + "jdbc:postgresql://host:port/db?user=... (env DATABASE_URL). Default: embedded.")
    String dbUrl;

    @Option(names = "--admin-token", defaultValue = "${env:COURIER_ADMIN_TOKEN}",
            description = "Bearer token for /v1/admin/...; the admin API is off without it (env COURIER_ADMIN_TOKEN).")
    String adminToken;

    @Option(names = "--pool-size", defaultValue = "${env:COURIER_POOL_SIZE:-0}",
            description = "Database connections; 0 means cores x 2 + 1 (env COURIER_POOL_SIZE).")
    int poolSize;

    @Option(names = "--pool-acquire-timeout", defaultValue = "${env:COURIER_POOL_ACQUIRE_TIMEOUT:-250ms}",
            converter = Durations.class,
            description = "Longest wait for a connection before answering 503 overloaded (env COURIER_POOL_ACQUIRE_TIMEOUT).")
    Duration acquireTimeout;

    @Option(names = "--session-ttl", defaultValue = "${env:COURIER_SESSION_TTL:-30d}", converter = Durations.class,
            description = "How long a login token stays valid (env COURIER_SESSION_TTL).")
    Duration sessionTtl;

    @Option(names = "--password-hash-cost", defaultValue = "${env:COURIER_PASSWORD_HASH_COST:-2}",
            description = "Argon2id iterations (env COURIER_PASSWORD_HASH_COST).")
    int passwordHashCost;

    @Option(names = "--rate-limits", defaultValue = "${env:COURIER_RATE_LIMITS}",
            description = "off, or name=N/period,... overriding the defaults accounts=20/1h, sessions=60/1m, "
                    + "login-failures=10/15m, messages=30/1s, writes=10/1s; name=off turns one off "
                    + "(env COURIER_RATE_LIMITS).")
    String rateLimits;

    @Option(names = "--trusted-proxies", defaultValue = "${env:COURIER_TRUSTED_PROXIES}",
            description = "Comma-separated addresses or CIDR blocks of proxies whose X-Forwarded-For names the "
                    + "client (env COURIER_TRUSTED_PROXIES). Default: none.")
    String trustedProxies;

    @Option(names = "--cors-origins", defaultValue = "${env:COURIER_CORS_ORIGINS}",
            description = "Comma-separated browser origins (https://host[:port]) allowed to call the API "
                    + "cross-site (env COURIER_CORS_ORIGINS). Default: none.")
    String corsOrigins;

    @Option(names = "--max-streams-per-user", defaultValue = "${env:COURIER_MAX_STREAMS_PER_USER:-16}",
            description = "Open WebSocket streams one user may hold (env COURIER_MAX_STREAMS_PER_USER).")
    int maxStreamsPerUser;

    @Override
    public Integer call() throws InterruptedException {
        CourierConfig config = config();
        CourierServer server = CourierServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "courier-shutdown"));
        System.out.println("Courier listening on http://" + displayHost() + ":" + server.port()
                + " using " + server.databaseDescription());
        System.out.flush();
        stopped.await();
        return 0;
    }

    CourierConfig config() {
        PoolConfig defaults = PoolConfig.defaults();
        PoolConfig pool = new PoolConfig(poolSize == 0 ? defaults.maxSize() : poolSize, acquireTimeout,
                defaults.statementTimeout(), defaults.idleInTransactionTimeout(), defaults.lockTimeout(),
                defaults.leakWarning(), defaults.leakReclaim());
        Optional<JdbcTarget> external = Optional.ofNullable(dbUrl).filter(s -> !s.isBlank()).map(JdbcTarget::parse);
        return new CourierConfig(
                new HttpConfig(host, port),
                new DatabaseConfig(external, dataDir),
                pool,
                new SessionConfig(sessionTtl, passwordHashCost),
                Optional.ofNullable(adminToken).filter(s -> !s.isBlank()),
                new SecurityConfig(RateLimitConfig.parse(rateLimits), SecurityConfig.parseTrustedProxies(trustedProxies),
                        SecurityConfig.parseCorsOrigins(corsOrigins),
                        new StreamLimits(StreamLimits.defaults().maxFrameBytes(), maxStreamsPerUser)));
    }

    private String displayHost() {
        return host.equals("0.0.0.0") ? "localhost" : host;
    }
}
