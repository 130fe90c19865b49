package dev.courier.cli;

import dev.courier.config.AlertConfig;
import dev.courier.config.AttachmentConfig;
import dev.courier.config.AuditConfig;
import dev.courier.config.ByteSizes;
import dev.courier.config.CourierConfig;
import dev.courier.config.DatabaseConfig;
import dev.courier.config.Durations;
import dev.courier.config.HttpConfig;
import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.config.RateLimitConfig;
import dev.courier.config.RetentionConfig;
import dev.courier.config.ScalingConfig;
import dev.courier.config.SecurityConfig;
import dev.courier.config.SessionConfig;
import dev.courier.ops.LogFormat;
import dev.courier.config.PresenceConfig;
import dev.courier.config.StreamConfig;
import dev.courier.config.StreamLimits;
import dev.courier.server.CourierServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
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
            description = "Address to listen on; 0.0.0.0 is every network interface, 127.0.0.1 this machine only "
                    + "(env COURIER_HOST).")
    String host;

    @Option(names = "--data-dir", defaultValue = "${env:COURIER_DATA_DIR:-./courier-data}",
            description = "Where the embedded PostgreSQL keeps its data (env COURIER_DATA_DIR).")
    Path dataDir;

    @Option(names = "--db-url", defaultValue = "${env:DATABASE_URL}",
            description = "External PostgreSQL: postgresql://user[:password]@host:port/db or "
                    + "jdbc:postgresql://host:port/db?user=... (env DATABASE_URL). Default: embedded.")
    String dbUrl;

    @Option(names = "--db-pool-mode", defaultValue = "${env:COURIER_DB_POOL_MODE:-direct}",
            description = "What --db-url points at: direct (PostgreSQL itself) or transaction (a pooler in transaction "
                    + "mode, e.g. PgBouncer pool_mode=transaction: no server-side prepared statements or startup "
                    + "options; the timeouts must be the role's defaults, see docs/scaling.md) (env COURIER_DB_POOL_MODE).")
    String dbPoolMode;

    @Option(names = "--db-direct-url", defaultValue = "${env:COURIER_DB_DIRECT_URL}",
            description = "PostgreSQL itself; required when --db-url is a transaction pooler: the migrations' lock and "
                    + "the postgres bus's LISTEN need a session of their own (env COURIER_DB_DIRECT_URL).")
    String dbDirectUrl;

    @Option(names = "--admin-token", defaultValue = "${env:COURIER_ADMIN_TOKEN}",
            description = "Bearer token for /v1/admin/...; the admin API is off without it (env COURIER_ADMIN_TOKEN).")
    String adminToken;

    @Option(names = "--pool-size", defaultValue = "${env:COURIER_POOL_SIZE:-0}",
            description = "Database connections; 0 means cores x 2 + 1, at least 4 (env COURIER_POOL_SIZE).")
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

    @Option(names = "--enable-fault-injection", defaultValue = "${env:COURIER_FAULT_INJECTION:-false}",
            description = "Expose /v1/admin/faults (leak connections, add query latency, stop the database) to the "
                    + "admin token; for drills, never in production (env COURIER_FAULT_INJECTION).")
    boolean faultInjection;

    @Option(names = "--alert-webhook", split = ",", defaultValue = "${env:COURIER_ALERT_WEBHOOKS}",
            description = "Where alerts are posted, in Alertmanager's POST /api/v2/alerts body; repeatable "
                    + "(env COURIER_ALERT_WEBHOOKS, comma-separated).")
    List<String> alertWebhooks;

    @Option(names = "--log-format", defaultValue = "${env:COURIER_LOG_FORMAT:-text}",
            description = "Log lines for people (text) or machines (json) (env COURIER_LOG_FORMAT).")
    LogFormat logFormat;

    @Option(names = "--access-log", defaultValue = "${env:COURIER_ACCESS_LOG:-false}",
            description = "One log line per request (method, route, status, duration, bytes, client, user, request "
                    + "and trace id), in the --log-format (env COURIER_ACCESS_LOG).")
    boolean accessLog;

    @Option(names = "--bus", defaultValue = "${env:COURIER_BUS:-postgres}",
            description = "Fan-out between nodes: postgres (LISTEN/NOTIFY) or nats://host:port (env COURIER_BUS).")
    String bus;

    @Option(names = "--rate-limits", defaultValue = "${env:COURIER_RATE_LIMITS}",
            description = "off, or name=N/period,... overriding the defaults accounts=20/1h, sessions=60/1m, "
                    + "login-failures=10/15m, messages=30/1s, writes=10/1s, search=30/30s; name=off turns one off "
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

    @Option(names = "--presence-grace", defaultValue = "${env:COURIER_PRESENCE_GRACE:-15s}", converter = Durations.class,
            description = "How long after a user's last stream closes before the others see them offline; a reconnect "
                    + "within it shows nothing. At most 30s (env COURIER_PRESENCE_GRACE).")
    Duration presenceGrace;

    @Option(names = "--presence-lease", defaultValue = "${env:COURIER_PRESENCE_LEASE:-30s}", converter = Durations.class,
            description = "A node's presence lease, renewed every third of it: the users of a node that dies go offline "
                    + "within a lease and a third. 1s to 45s (env COURIER_PRESENCE_LEASE).")
    Duration presenceLease;

    @Option(names = "--drain-timeout", defaultValue = "${env:COURIER_DRAIN_TIMEOUT:-20s}", converter = Durations.class,
            description = "On SIGTERM the node answers readiness 503, refuses new requests and streams (503 overloaded), "
                    + "answers the sends in flight and closes its streams with 1001 so that clients reconnect to "
                    + "another node; it exits once that is done, or after this long (env COURIER_DRAIN_TIMEOUT).")
    Duration drainTimeout;

    @Option(names = "--stream-capacity", defaultValue = "${env:COURIER_STREAM_CAPACITY:-20000}",
            description = "Open streams one node is sized for; the streams' share of the saturation gauge "
                    + "(courier_node_saturation) is the open streams over this. Not a limit (env COURIER_STREAM_CAPACITY).")
    int streamCapacity;

    @Option(names = "--scale-target", defaultValue = "${env:COURIER_SCALE_TARGET:-0.7}",
            description = "The saturation an autoscaler keeps each node at, 0 to 1: the recommended replica count is "
                    + "ceil(sum of courier_node_replica_demand), each node's saturation / target "
                    + "(env COURIER_SCALE_TARGET).")
    double scaleTarget;

    private static String version() {
        String version = ServeCommand.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    /** This node in the logs of a deployment: its host name and port. */
    private String nodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + port;
    }

    @Option(names = "--max-attachment-bytes", defaultValue = "${env:COURIER_MAX_ATTACHMENT_BYTES:-25MiB}",
            converter = ByteSizes.class,
            description = "Largest attachment accepted, e.g. 26214400, 25MiB (env COURIER_MAX_ATTACHMENT_BYTES).")
    long maxAttachmentBytes;

    @Option(names = "--attachment-quota", defaultValue = "${env:COURIER_ATTACHMENT_QUOTA:-1GiB}",
            converter = ByteSizes.class,
            description = "What one user's uploads may add up to, e.g. 1GiB (env COURIER_ATTACHMENT_QUOTA).")
    long attachmentQuota;

    @Option(names = "--attachments-dir", defaultValue = "${env:COURIER_ATTACHMENTS_DIR}",
            description = "Keep attachments' bytes in this directory (a shared volume for a fleet) instead of "
                    + "PostgreSQL; their metadata stays in PostgreSQL (env COURIER_ATTACHMENTS_DIR). Default: PostgreSQL.")
    Path attachmentsDir;

    @Option(names = "--audit-interval", defaultValue = "${env:COURIER_AUDIT_INTERVAL:-1h}", converter = Durations.class,
            description = "How often the node runs the infrastructure audit of 'courier audit' itself, exporting "
                    + "courier_audit_check and raising CourierAuditFailed; 0s turns it off (env COURIER_AUDIT_INTERVAL).")
    Duration auditInterval;

    @Option(names = "--retention", defaultValue = "${env:COURIER_RETENTION:-off}",
            description = "Messages older than this (e.g. 90d) become tombstones, in small batches; off keeps them for "
                    + "good. At least 1h (env COURIER_RETENTION).")
    String retention;

    @Override
    public Integer call() throws InterruptedException {
        logFormat.apply(new LogFormat.Identity(version(), nodeId()), accessLog);
        CourierConfig config = config();
        requirePortFree();
        // SIGTERM and SIGINT are a request to stop, not an exit: the server stops gracefully on this thread and
        // the process then exits 0. Left to the JVM's default, a signal exits 143/130 whatever the hook achieved.
        // Handled before the start, so a signal during the start stops the server as soon as it is up.
        CountDownLatch stopRequested = new CountDownLatch(1);
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stopRequested.countDown());
            } catch (IllegalArgumentException reservedByTheJvm) {
                // e.g. under -Xrs: the shutdown hook below still stops the server, only the exit code differs
            }
        }
        CourierServer server = CourierServer.start(config);
        AtomicBoolean closed = new AtomicBoolean();
        Runnable closeOnce = () -> {
            if (closed.compareAndSet(false, true)) {
                System.out.println("Courier stopping: no new connections, finishing requests in flight");
                System.out.flush();
                long started = System.nanoTime();
                server.close();
                System.out.println("Courier stopped after " + (System.nanoTime() - started) / 1_000_000 + " ms");
                System.out.flush();
            }
        };
        // Any other way out (SIGHUP, System.exit) still stops the server, so no PostgreSQL is left running.
        Runtime.getRuntime().addShutdownHook(new Thread(closeOnce, "courier-shutdown"));
        System.out.println("Courier listening on http://" + host + ":" + server.port()
                + " using " + server.databaseDescription() + reachableAs(server.port()));
        System.out.flush();
        stopRequested.await();
        // The drain is bounded by --drain-timeout; closing what is left (the writers, the bus, the pool) gets a few
        // seconds more. A stop stuck beyond that (a query that never returns) must not keep the node from exiting: the
        // process ends anyway, with 1, and the database rolls back what the cut connections held.
        Thread stopping = Thread.ofPlatform().name("courier-stop").start(closeOnce);
        if (!stopping.join(drainTimeout.plus(STOP_AFTER_DRAIN))) {
            System.err.println("Courier did not stop within " + drainTimeout.plus(STOP_AFTER_DRAIN).toSeconds()
                    + " s of the signal; exiting regardless");
            return 1;
        }
        return 0;
    }

    /** What closing the parts takes after the drain, at most, before the process exits regardless. */
    private static final Duration STOP_AFTER_DRAIN = Duration.ofSeconds(5);

    CourierConfig config() {
        PoolConfig defaults = PoolConfig.defaults();
        PoolConfig pool = new PoolConfig(poolSize == 0 ? defaults.maxSize() : poolSize, acquireTimeout,
                defaults.statementTimeout(), defaults.idleInTransactionTimeout(), defaults.lockTimeout(),
                defaults.leakWarning(), defaults.leakReclaim());
        Optional<JdbcTarget> external = Optional.ofNullable(dbUrl).filter(s -> !s.isBlank()).map(JdbcTarget::parse);
        return new CourierConfig(
                new HttpConfig(host, port, drainTimeout),
                new DatabaseConfig(external, dataDir, transactionPooled(),
                        Optional.ofNullable(dbDirectUrl).filter(s -> !s.isBlank()).map(JdbcTarget::parse)),
                pool,
                new SessionConfig(sessionTtl, passwordHashCost),
                Optional.ofNullable(adminToken).filter(s -> !s.isBlank()),
                AlertConfig.defaults().withWebhooks(webhooks()))
                .withFaultInjection(faultInjection)
                .withStream(StreamConfig.defaults().withBus(bus)
                        .withPresence(new PresenceConfig(presenceGrace, presenceLease)))
                .withSecurity(new SecurityConfig(RateLimitConfig.parse(rateLimits),
                        SecurityConfig.parseTrustedProxies(trustedProxies), SecurityConfig.parseCorsOrigins(corsOrigins),
                        new StreamLimits(StreamLimits.defaults().maxFrameBytes(), maxStreamsPerUser)))
                .withAudit(auditInterval.isZero() ? AuditConfig.off() : AuditConfig.every(auditInterval))
                .withAttachments(new AttachmentConfig(maxAttachmentBytes, attachmentQuota,
                        Optional.ofNullable(attachmentsDir)))
                .withRetention(RetentionConfig.parse(retention))
                .withScaling(new ScalingConfig(streamCapacity, scaleTarget));
    }

    private boolean transactionPooled() {
        return switch (dbPoolMode) {
            case "direct" -> false;
            case "transaction" -> true;
            default -> throw new IllegalArgumentException(
                    "--db-pool-mode must be direct or transaction, not '" + dbPoolMode + "'");
        };
    }

    private List<URI> webhooks() {
        if (alertWebhooks == null) {
            return List.of();
        }
        return alertWebhooks.stream().map(String::trim).filter(s -> !s.isEmpty()).map(s -> {
            try {
                return new URI(s);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("--alert-webhook '" + s + "' is not a URL: " + e.getReason());
            }
        }).toList();
    }

    /** The banner names the address actually bound; a wildcard is every interface, so say how to reach it here. */
    private String reachableAs(int boundPort) {
        return host.equals("0.0.0.0") || host.equals("::")
                ? "; on every network interface, http://localhost:" + boundPort + " from this machine" : "";
    }

    /**
     * Fails in a moment, naming the option, when the port is taken: otherwise the embedded database starts first
     * and the conflict shows only when the HTTP server binds, many seconds later.
     */
    private void requirePortFree() {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalArgumentException("--port " + port + " on " + host + " is in use (" + e.getMessage()
                    + "): stop what listens there or choose another --port");
        }
    }
}
