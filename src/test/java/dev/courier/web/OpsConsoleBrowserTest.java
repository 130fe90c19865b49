package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Browser;
import dev.courier.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Dimension;

/** The operations console in a headless Chromium, reading a real server's /metrics and admin API. */
class OpsConsoleBrowserTest {

    private static final Duration STEP = Duration.ofSeconds(15);

    @Test
    void theConsoleShowsThePoolFiguresAndChartsWithTheAdminToken() {
        try (TestServer server = TestServer.start(); Browser browser = Browser.open("ops")) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long conversation = api.direct(alice, bob);

            browser.get(server.baseUrl() + "/ops");
            browser.type("#admin-token", TestServer.ADMIN_TOKEN);
            browser.click("#token-form button[type=submit]");

            // TestServer's pool has 8 connections; the figure comes from hikaricp_connections_max in /metrics.
            browser.waitForText("#now-pool-max", "8", STEP);
            assertThat(browser.find("#now-pool-idle").getText()).matches("\\d+");
            assertThat(browser.find("#now-pool-active").getText()).matches("\\d+");
            assertThat(browser.find("#now-pool-pending").getText()).isEqualTo("0");
            assertThat(browser.sessionStorage()).containsEntry("courier.adminToken", TestServer.ADMIN_TOKEN);

            // Traffic between two scrapes shows up as a request rate and message rate above zero.
            for (int i = 0; i < 20; i++) {
                assertThat(api.sendMessage(alice, conversation, "traffic " + i).status()).isEqualTo(201);
            }
            browser.waitUntil(STEP, "a request rate above zero", d ->
                    parse(browser.find("#now-requests").getText()) > 0 ? true : null);
            // Messages per second need a message counter or route labels on the server; without, the page says so.
            browser.waitUntil(STEP, "a message rate above zero, or the reason it cannot be shown", d ->
                    parse(browser.find("#now-messages").getText()) > 0
                            || browser.find("#messages-source").getText().startsWith("This server exports no message counter") ? true : null);
            assertThat(browser.find("#now-p99").getText()).endsWith(" ms");
            for (String chart : new String[] {"requests", "latency", "messages", "sockets", "pool"}) {
                assertThat(browser.findAll("#chart-" + chart + " canvas")).as(chart + " chart").hasSize(1);
            }
            assertThat(browser.find("#token-notice").getText()).isEmpty();
            // Leases come from /v1/admin/pool: a table where the server has it, else a sentence saying why not.
            browser.waitUntil(STEP, "the leases panel", d -> !browser.find("#leases").getText().isBlank() ? true : null);
            // The node lists itself, alive, from its row in PostgreSQL (GET /v1/admin/nodes).
            browser.waitUntil(STEP, "this node in the nodes panel", d ->
                    browser.find("#nodes").getText().contains("127.0.0.1:" + server.port()) ? true : null);
            assertThat(browser.find("#nodes").getText()).contains("alive");
            browser.driver().manage().window().setSize(new Dimension(1280, 2000)); // the whole console in one shot
            browser.screenshot("console");
            assertThat(browser.consoleLines()).noneMatch(line -> line.contains("Content Security Policy"));
        }
    }

    private static double parse(String figure) {
        try {
            return Double.parseDouble(figure);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
