package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.CourierConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Browser;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An operator finds a user on the console's users page of one node and deactivates them: the user's streams on both
 * nodes close with 4001 at once, the audit log shows the action, and reactivating lets them sign in again.
 */
@Tag("needs-stream")
class OpsUsersBrowserTest {

    private static final Duration STEP = Duration.ofSeconds(20);

    @Test
    void anOperatorDeactivatesAUserFromTheConsoleAndTheirStreamsCloseOnBothNodes() {
        CourierConfig config = TestServer.defaultConfig(TestDatabase.freshDatabase());
        try (TestServer nodeA = TestServer.start(config); TestServer nodeB = TestServer.start(config)) {
            for (TestServer node : new TestServer[] {nodeA, nodeB}) {
                assertThat(node.client().metricOnce("courier_bus_other_listeners", v -> v >= 1, STEP)).isEqualTo(1);
            }
            ApiClient api = nodeA.client();
            TestUser mallory = api.newUser("mallory");
            TestUser malloryElsewhere = nodeB.client().login(mallory.username());
            try (Browser console = Browser.open("ops-users");
                 StreamClient onA = StreamClient.connect(nodeA.baseUrl(), mallory.token());
                 StreamClient onB = StreamClient.connect(nodeB.baseUrl(), malloryElsewhere.token())) {
                console.get(nodeA.baseUrl() + "/ops/users.html");
                console.type("#admin-token", TestServer.ADMIN_TOKEN);
                console.click("#token-form button[type=submit]");
                console.type("#user-query", mallory.username());
                console.click("#user-search button[type=submit]");
                String row = "#users tr[data-user-id='" + mallory.id() + "']";
                console.waitForText(row, "active", STEP);
                console.screenshot("1-found");

                console.click(row + " button");
                console.driver().switchTo().alert().accept();
                long clicked = System.nanoTime();
                assertThat(onA.awaitClose(STEP)).isEqualTo(4001);
                assertThat(onB.awaitClose(STEP)).isEqualTo(4001);
                assertThat(Duration.ofNanos(System.nanoTime() - clicked)).isLessThan(Duration.ofSeconds(1));
                console.waitForText(row, "deactivated", STEP);
                console.waitForText("#audit", "POST /v1/admin/users/{id}/deactivate", STEP);
                assertThat(console.find("#audit tbody tr").getText()).contains("id=" + mallory.id()).contains("204");
                console.screenshot("2-deactivated");
                assertThat(nodeB.client().get("/v1/me", malloryElsewhere.token()).errorCode())
                        .isEqualTo("account_deactivated");

                console.click(row + " button");
                console.waitForText(row, "active", STEP);
                assertThat(nodeB.client().login(mallory.username()).token()).isNotBlank();
                assertThat(console.consoleLines()).noneMatch(line -> line.contains("Uncaught"));
            }
        }
    }
}
