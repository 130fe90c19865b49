package dev.courier.testing;

import dev.courier.config.AlertConfig;
import dev.courier.config.CourierConfig;
import dev.courier.config.DatabaseConfig;
import dev.courier.config.HttpConfig;
import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.config.SessionConfig;
import dev.courier.server.CourierServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A real Courier server on a free loopback port, on its own fresh database of the shared test PostgreSQL. A test class
 * whose tests all share one server gets it from {@link TestServerExtension}.
 */
public final class TestServer implements AutoCloseable {

    private final CourierServer server;
    private final CourierConfig config;

    private TestServer(CourierServer server, CourierConfig config) {
        this.server = server;
        this.config = config;
    }

    public static TestServer start() {
        return start(UnaryOperator.identity());
    }

    /** Starts a server whose default test configuration {@code customize} may change. */
    public static TestServer start(UnaryOperator<CourierConfig> customize) {
        return start(customize.apply(defaultConfig(TestDatabase.freshDatabase())));
    }

    public static TestServer start(CourierConfig config) {
        return new TestServer(CourierServer.start(config), config);
    }

    /** Loopback, free port, the given database, a small pool and the cheapest password hashing. */
    public static CourierConfig defaultConfig(JdbcTarget database) {
        return new CourierConfig(
                new HttpConfig("127.0.0.1", 0),
                new DatabaseConfig(Optional.of(database), Path.of("unused-by-external-database")),
                PoolConfig.defaults().withMaxSize(8),
                new SessionConfig(Duration.ofHours(1), 1),
                Optional.of(ADMIN_TOKEN),
                AlertConfig.defaults());
    }

    public static final String ADMIN_TOKEN = "test-admin-token";

    /**
     * {@code config} with a long pool acquire deadline, for tests of something other than load shedding that
     * send many requests at once: on a busy shared machine the production deadline (250 ms) sheds some of them.
     */
    public static CourierConfig patientPool(CourierConfig config) {
        return config.withPool(config.pool().withAcquireTimeout(Duration.ofSeconds(10)));
    }

    /** A configuration like {@code defaultConfig} but with the embedded database in {@code dataDir}. */
    public static CourierConfig embeddedConfig(Path dataDir) {
        CourierConfig base = defaultConfig(new JdbcTarget("jdbc:postgresql://unused", null, null));
        return base.withDatabase(new DatabaseConfig(Optional.empty(), dataDir));
    }

    /** The running server, for tests in {@code dev.courier.server} that reach its parts. */
    public CourierServer server() {
        return server;
    }

    public CourierConfig config() {
        return config;
    }

    public int port() {
        return server.port();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Runs one statement as the superuser on this server's own (external) test database. */
    public void sql(String statement) {
        TestDatabase.execute(config.database().external().orElseThrow(), statement);
    }

    /** The name of this server's own database on the shared test PostgreSQL. */
    public String databaseName() {
        String url = config.database().external().orElseThrow().jdbcUrl();
        String path = url.substring(url.lastIndexOf('/') + 1);
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    public ApiClient client() {
        return new ApiClient(baseUrl());
    }

    /** Runs one statement on this server's own database, as the test superuser (e.g. to age a session). */
    public void execute(String sql) {
        try (java.sql.Connection c = connect(); java.sql.Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("test statement failed: " + sql, e);
        }
    }

    /** Runs a query that answers one number (e.g. a count of rows breaking a rule) on this server's database. */
    public long queryLong(String sql) {
        try (java.sql.Connection c = connect(); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("test query failed: " + sql, e);
        }
    }

    private java.sql.Connection connect() throws java.sql.SQLException {
        JdbcTarget target = config.database().external()
                .orElseThrow(() -> new IllegalStateException("needs a server on an external test database"));
        return java.sql.DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
    }

    @Override
    public void close() {
        server.close();
    }
}
