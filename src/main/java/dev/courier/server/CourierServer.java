package dev.courier.server;

import dev.courier.accounts.AccountRoutes;
import dev.courier.accounts.AccountService;
import dev.courier.accounts.Authentication;
import dev.courier.accounts.UserStore;
import dev.courier.config.CourierConfig;
import dev.courier.conversations.ConversationRoutes;
import dev.courier.conversations.ConversationService;
import dev.courier.conversations.ConversationStore;
import dev.courier.db.Database;
import dev.courier.db.DatabaseTarget;
import dev.courier.db.EmbeddedDatabase;
import dev.courier.db.PooledDatabaseFactory;
import dev.courier.events.EventSink;
import dev.courier.messages.MessageRoutes;
import dev.courier.messages.MessageService;
import dev.courier.ops.Health;
import dev.courier.ops.HttpMetrics;
import dev.courier.ops.OpsRoutes;
import dev.courier.ratelimit.BucketSweeper;
import dev.courier.ratelimit.LoginThrottle;
import dev.courier.ratelimit.RateLimitFilter;
import dev.courier.ratelimit.RateLimiter;
import dev.courier.web.AdminAuthentication;
import dev.courier.web.ClientAddresses;
import dev.courier.web.CorsPolicy;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part of a Courier node from its configuration, wires them, and stops them
 * in reverse order. Every dependency of the server is visible here.
 */
public final class CourierServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CourierServer.class);

    private final Javalin http;
    private final Database database;
    private final EmbeddedDatabase embedded;
    private final List<AutoCloseable> closeInOrder;
    private final String databaseDescription;

    private CourierServer(Javalin http, Database database, EmbeddedDatabase embedded, List<AutoCloseable> closeInOrder,
                          String databaseDescription) {
        this.http = http;
        this.database = database;
        this.embedded = embedded;
        this.closeInOrder = closeInOrder;
        this.databaseDescription = databaseDescription;
    }

    public static CourierServer start(CourierConfig config) {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            bindJvmMetrics(meters);

            EmbeddedDatabase embedded = config.database().embedded()
                    ? EmbeddedDatabase.start(config.database().dataDir()) : null;
            if (embedded != null) {
                started.addFirst(embedded);
            }
            DatabaseTarget target = embedded != null ? embedded.target() : externalTarget(config);
            Database database = PooledDatabaseFactory.open(target, config.pool(), meters, () -> { });
            started.addFirst(database);

            EventSink events = EventSink.discarding();
            UserStore users = new UserStore();
            ConversationStore conversationStore = new ConversationStore();
            AccountService accounts = new AccountService(database, users, config.sessions());
            ConversationService conversations = new ConversationService(database, conversationStore, users, events);
            MessageService messages = new MessageService(database, conversationStore, events,
                    Math.max(1, config.pool().maxSize() / 2));
            started.addFirst(messages);
            RateLimiter rateLimiter = new RateLimiter(database, config.security().rateLimits());
            started.addFirst(new BucketSweeper(rateLimiter, java.time.Duration.ofMinutes(1)));
            ClientAddresses clientAddresses = new ClientAddresses(config.security().trustedProxies());

            HttpApi api = new HttpApi(config.http(), new Authentication(accounts),
                    new AdminAuthentication(config.adminToken()), new HttpMetrics(meters), List.of(
                    new RateLimitFilter(rateLimiter, clientAddresses)::register,
                    new AccountRoutes(accounts, new LoginThrottle(rateLimiter), clientAddresses)::register,
                    new ConversationRoutes(conversations)::register,
                    new MessageRoutes(messages)::register,
                    new OpsRoutes(new Health(database), meters)::register),
                    new CorsPolicy(config.security().corsOrigins()));
            Javalin http = api.start();
            return new CourierServer(http, database, embedded, started, target.description());
        } catch (RuntimeException | Error e) {
            closeAll(started);
            throw e;
        }
    }

    public int port() {
        return http.port();
    }

    public String databaseDescription() {
        return databaseDescription;
    }

    /** Stops accepting, lets in-flight requests finish, then closes the pool and the embedded database. */
    @Override
    public void close() {
        try {
            http.stop();
        } catch (RuntimeException e) {
            log.warn("HTTP server did not stop cleanly: {}", e.toString());
        }
        closeAll(closeInOrder);
    }

    Database database() {
        return database;
    }

    EmbeddedDatabase embedded() {
        return embedded;
    }

    private static DatabaseTarget externalTarget(CourierConfig config) {
        var external = config.database().external().orElseThrow();
        return new DatabaseTarget(external.jdbcUrl(), external.user(), external.password(), external.describe());
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("error while stopping {}: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static void bindJvmMetrics(PrometheusMeterRegistry meters) {
        new ClassLoaderMetrics().bindTo(meters);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
    }
}
