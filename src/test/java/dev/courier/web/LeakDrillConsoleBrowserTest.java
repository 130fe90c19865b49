package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.courier.config.CourierConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Browser;
import dev.courier.testing.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A leak drill run from the console: the operator switches the leak on, and the console shows the firing alert
 * with its runbook, then the incident with its timeline and postmortem draft.
 *
 * <p>It needs fault injection, alerts and incidents on the server. Against a server without them
 * ({@code /v1/admin/faults} answers 404) the test is skipped rather than passed; it runs wherever they exist.
 */
@Tag("needs-fault-injection")
class LeakDrillConsoleBrowserTest {

    private static final Duration ALERT = Duration.ofSeconds(60);
    private static final Duration STEP = Duration.ofSeconds(15);
    private static final int MAX_REQUESTS = 600;

    /**
     * Turns fault injection on through {@code CourierConfig.withFaultInjection(boolean)} when this build has it.
     * Looked up by name so that this test compiles, and skips, in a build without fault injection.
     */
    private static CourierConfig withFaultInjectionWhereBuilt(CourierConfig config) {
        try {
            return (CourierConfig) CourierConfig.class.getMethod("withFaultInjection", boolean.class)
                    .invoke(config, true);
        } catch (NoSuchMethodException absent) {
            return config;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not turn fault injection on", e);
        }
    }

    @Test
    void theConsoleShowsAnAlertAndAnIncidentAfterALeakIsSwitchedOn() throws InterruptedException {
        try (TestServer server = TestServer.start(LeakDrillConsoleBrowserTest::withFaultInjectionWhereBuilt)) {
            ApiClient api = server.client();
            assumeTrue(api.get("/v1/admin/faults", TestServer.ADMIN_TOKEN).status() == 200,
                    "this server has no fault injection (GET /v1/admin/faults is not 200)");
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long conversation = api.direct(alice, bob);

            try (Browser browser = Browser.open("drill")) {
                browser.get(server.baseUrl() + "/ops");
                browser.type("#admin-token", TestServer.ADMIN_TOKEN);
                browser.click("#token-form button[type=submit]");
                browser.waitForVisible("#faults", STEP);

                browser.type("#fault-leak-rate", "0.5");
                browser.click("#faults-form button[type=submit]");
                browser.waitForText("#faults-state", "leaking 50%", STEP);
                assertThat(api.get("/v1/admin/faults", TestServer.ADMIN_TOKEN).json().path("leakRate").asDouble())
                        .isEqualTo(0.5);

                // Bounded traffic: enough requests for the leak to bite, stopping as soon as the alert shows.
                long deadline = System.nanoTime() + ALERT.toNanos();
                for (int i = 0; i < MAX_REQUESTS && System.nanoTime() < deadline; i++) {
                    api.sendMessage(alice, conversation, "drill " + i);
                    if (!browser.findAll("#alerts .state-firing").isEmpty()) {
                        break;
                    }
                    Thread.sleep(50);
                }
                browser.waitForVisible("#alerts .state-firing", STEP);
                assertThat(browser.find("#alerts a[href]").getDomAttribute("href")).isNotBlank();
                browser.screenshot("alert-firing");

                browser.waitForVisible("#incidents .incident-link", ALERT);
                browser.click("#incidents .incident-link");
                browser.waitForVisible("#incident-detail .timeline li", STEP);
                browser.click("#show-postmortem");
                browser.waitUntil(STEP, "the postmortem draft", d ->
                        browser.find("#postmortem").getText().length() > 20 ? true : null);
                browser.screenshot("incident-and-postmortem");

                browser.click("#faults-clear");
                browser.waitForText("#faults-state", "No fault is active", STEP);
            } finally {
                api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN,
                        Map.of("leakRate", 0.0, "queryLatencyMs", 0, "databaseDown", false));
            }
        }
    }
}
