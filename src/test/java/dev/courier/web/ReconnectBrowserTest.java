package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Browser;
import dev.courier.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The network drops under a live page: it says so, reconnects when the network is back, and catches up on the
 * messages it missed, each shown once.
 *
 * <p>Needs {@code /v1/stream}: against a server without it the page never goes live and the test is skipped.
 */
@Tag("needs-stream")
class ReconnectBrowserTest {

    private static final Duration STEP = Duration.ofSeconds(20);

    @Test
    void afterTheNetworkDropsThePageReconnectsAndCatchesUpWithoutDuplicates() {
        try (TestServer server = TestServer.start()) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            assumeTrue(streamOpens(server, bob), "this server offers no /v1/stream");
            long conversation = api.direct(alice, bob);
            assertThat(api.sendMessage(alice, conversation, "before the drop").status()).isEqualTo(201);
            try (Browser browser = Browser.open("reconnect")) {
                dropAndComeBack(browser, server, api, alice, bob, conversation);
            }
        }
    }

    private static void dropAndComeBack(Browser browser, TestServer server, ApiClient api, TestUser alice,
                                        TestUser bob, long conversation) {
        ChatPage.signIn(browser, server.baseUrl(), bob.username());
        assertThat(waitForState(browser, "live", STEP)).as("live").isTrue();
        browser.click("#conversation-list .conversation-link");
        browser.waitForText("#messages .message", "before the drop", STEP);

        browser.setOffline(true);
        try {
            browser.waitUntil(STEP, "the page to show that it lost the connection", d -> {
                String state = browser.find("#connection").getDomAttribute("data-state");
                return "reconnecting".equals(state) || "offline".equals(state) ? true : null;
            });
            browser.screenshot("offline");
            for (int i = 1; i <= 3; i++) {
                assertThat(api.sendMessage(alice, conversation, "missed " + i).status()).isEqualTo(201);
            }
        } finally {
            browser.setOffline(false);
        }

        assertThat(waitForState(browser, "live", Duration.ofSeconds(45))).as("live again").isTrue();
        browser.waitForText("#messages .message", "missed 3", STEP);
        assertThat(api.sendMessage(alice, conversation, "after the drop").status()).isEqualTo(201);
        browser.waitForText("#messages .message", "after the drop", STEP);
        browser.screenshot("caught-up");
        assertThat(browser.findAll("#messages .message .body")).extracting(e -> e.getText())
                .containsExactly("before the drop", "missed 1", "missed 2", "missed 3", "after the drop");
    }

    private static boolean streamOpens(TestServer server, TestUser user) {
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/v1/stream?access_token=" + user.token());
        try {
            HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(uri, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS).abort();
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean waitForState(Browser browser, String state, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (state.equals(browser.find("#connection").getDomAttribute("data-state"))) {
                return true;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
