package dev.courier.cli;

import dev.courier.config.CourierConfig;
import dev.courier.config.DatabaseConfig;
import dev.courier.config.Durations;
import dev.courier.config.HttpConfig;
import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.config.SessionConfig;
import dev.courier.config.StreamConfig;
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

    @Option(names = "--bus", defaultValue = "${env:COURIER_BUS:-postgres}",
            description = "Fan-out between nodes: postgres (LISTEN/NOTIFY) or nats://host:port (env COURIER_BUS).")
    String bus;

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
                Optional.ofNullable(adminToken).filter(s -> !s.isBlank()))
                .withStream(StreamConfig.defaults().withBus(bus));
    }

    private String displayHost() {
        return host.equals("0.0.0.0") ? "localhost" : host;
    }
}
