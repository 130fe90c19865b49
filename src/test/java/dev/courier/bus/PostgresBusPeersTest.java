package dev.courier.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.JdbcTarget;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A node on the LISTEN/NOTIFY bus announces its messages only while another node listens: it counts the other
 * listeners by their {@code application_name}, and a session that listens under any other name is not a node.
 */
class PostgresBusPeersTest {

    private static final String OTHER_LISTENERS = "courier_bus_other_listeners";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aNodeAnnouncesItsMessagesOnlyWhileAnotherNodeListens() throws SQLException {
        JdbcTarget database = TestDatabase.freshDatabase();
        try (TestServer node = TestServer.start(TestServer.defaultConfig(database))) {
            ApiClient api = node.client();
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long conversation = api.direct(alice, bob);
            try (Connection observer = listen(database, "test-observer")) {
                awaitGauge(api, 0);
                assertThat(api.sendMessage(alice, conversation, "stored while alone").status()).isEqualTo(201);
                // The send returned after the commit, which is when its notification would have been queued.
                assertThat(payloads(observer, 500)).noneMatch(p -> p.contains("stored while alone"));

                try (Connection otherNode = listen(database, "courier-listener-other-node")) {
                    awaitGauge(api, 1);
                    assertThat(api.sendMessage(alice, conversation, "stored with a peer").status()).isEqualTo(201);
                    assertThat(payloads(otherNode, 500)).anyMatch(p -> p.contains("stored with a peer"));
                    assertThat(payloads(observer, 500)).anyMatch(p -> p.contains("stored with a peer"));
                }
                awaitGauge(api, 0);
                assertThat(api.sendMessage(alice, conversation, "stored alone again").status()).isEqualTo(201);
                assertThat(payloads(observer, 500)).noneMatch(p -> p.contains("stored alone again"));
            }
        }
    }

    private static Connection listen(JdbcTarget database, String applicationName) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", database.user());
        props.setProperty("ApplicationName", applicationName);
        Connection c = DriverManager.getConnection(database.jdbcUrl(), props);
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + PostgresBus.CHANNEL);
        }
        return c;
    }

    /** What arrived on the connection so far, waiting up to {@code millis} for the first notification. */
    private static List<String> payloads(Connection c, int millis) throws SQLException {
        List<String> payloads = new ArrayList<>();
        PGNotification[] notifications = c.unwrap(PGConnection.class).getNotifications(millis);
        while (notifications != null && notifications.length > 0) {
            for (PGNotification n : notifications) {
                payloads.add(n.getParameter());
            }
            notifications = c.unwrap(PGConnection.class).getNotifications(50);
        }
        return payloads;
    }

    private static void awaitGauge(ApiClient api, double expected) {
        assertThat(api.metricOnce(OTHER_LISTENERS, value -> value == expected, WAIT)).as(OTHER_LISTENERS)
                .isEqualTo(expected);
    }
}
