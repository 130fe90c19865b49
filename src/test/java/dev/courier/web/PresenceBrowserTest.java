package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.CourierConfig;
import dev.courier.config.PresenceConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.Browser;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two people on two nodes of one deployment, each in their own headless Chromium: each sees the other come online,
 * type and read, and go offline once the other's page has closed and the grace has passed. "Seen by" comes back
 * after a reload, from the conversation's read markers.
 */
@Tag("needs-stream")
class PresenceBrowserTest {

    private static final Duration STEP = Duration.ofSeconds(20);
    private static final PresenceConfig PRESENCE = new PresenceConfig(Duration.ofSeconds(1), Duration.ofSeconds(3));

    @Test
    void twoPeopleOnTwoNodesSeeEachOtherComeOnlineTypeReadAndLeave() {
        CourierConfig config = TestServer.defaultConfig(TestDatabase.freshDatabase());
        config = config.withStream(config.stream().withPresence(PRESENCE));
        try (TestServer nodeA = TestServer.start(config); TestServer nodeB = TestServer.start(config)) {
            for (TestServer node : new TestServer[] {nodeA, nodeB}) {
                assertThat(node.client().metricOnce("courier_bus_other_listeners", v -> v >= 1, STEP)).isEqualTo(1);
            }
            String aliceName = ApiClient.uniqueUsername("alice");
            String bobName = ApiClient.uniqueUsername("bob");
            try (Browser alice = Browser.open("presence-alice")) {
                ChatPage.register(alice, nodeA.baseUrl(), aliceName, "Alice");
                try (Browser bob = Browser.open("presence-bob")) {
                    ChatPage.register(bob, nodeB.baseUrl(), bobName, "Bob");
                    ChatPage.startDirect(alice, bobName);
                    alice.waitForText("#conversation-title", "Bob", STEP);

                    // Bob's list shows Alice, and she is online: her page holds a stream on the other node.
                    waitForDot(bob, "#conversation-list .conversation-link", true);
                    bob.click("#conversation-list .conversation-link");
                    waitForDot(bob, "#conversation-members .member", true);
                    waitForDot(alice, "#conversation-members .member", true);

                    alice.type("#composer-input", "Are you the");
                    bob.waitForText("#typing", "Alice is typing", STEP);
                    bob.screenshot("1-alice-typing");

                    ChatPage.send(alice, "Are you the one who reads this?");
                    bob.waitForText("#messages .message", "Are you the one who reads this?", STEP);
                    bob.waitUntil(STEP, "the typing line to clear once her message came",
                            d -> bob.find("#typing").getText().isEmpty() ? true : null);
                    alice.waitForText("#seen", "Seen by Bob", STEP);

                    // After a reload the page knows who read what only from the conversation's readMarkers.
                    alice.driver().navigate().refresh();
                    alice.waitForVisible("#chat", STEP);
                    alice.click("#conversation-list .conversation-link");
                    alice.waitForText("#messages .message", "Are you the one who reads this?", STEP);
                    alice.waitForText("#seen", "Seen by Bob", STEP);
                    alice.screenshot("2-seen-after-reload");
                }
                // Bob's page is gone; once the grace has passed, Alice sees him offline.
                waitForDot(alice, "#conversation-members .member", false);
                waitForDot(alice, "#conversation-list .conversation-link", false);
                assertThat(alice.find("#conversation-list .conversation-link .presence").getDomAttribute("title"))
                        .startsWith("last seen");
                alice.screenshot("3-bob-offline");
                assertThat(alice.consoleLines()).noneMatch(line -> line.contains("Uncaught"));
            }
        }
    }

    /** Waits until the presence dot in the first element matching {@code css} says {@code online}. */
    private static void waitForDot(Browser browser, String css, boolean online) {
        browser.waitUntil(STEP, css + " to show " + (online ? "online" : "offline"), d -> {
            var dots = browser.findAll(css + " .presence");
            return !dots.isEmpty() && String.valueOf(online).equals(dots.getFirst().getDomAttribute("data-online"))
                    ? true : null;
        });
    }
}
