package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Browser;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

/**
 * A message sent while the database is down: the person is told in words, with a wait, and the same message
 * (same clientMsgId) goes through once the database is back, stored exactly once.
 */
class SendDuringOutageBrowserTest {

    private static final Duration STEP = Duration.ofSeconds(20);

    @Test
    void aSendDuringADatabaseOutageShowsTheErrorAndSucceedsOnRetryWithoutADuplicate() {
        try (TestServer server = TestServer.start(); Browser browser = Browser.open("outage")) {
            ApiClient api = server.client();
            TestUser bob = api.newUser("bob");
            String aliceName = ApiClient.uniqueUsername("alice");
            ChatPage.register(browser, server.baseUrl(), aliceName, "Alice");
            ChatPage.startDirect(browser, bob.username());
            ChatPage.send(browser, "before the outage");
            ChatPage.waitForAcknowledged(browser, "before the outage");

            TestDatabase.refuseConnections(server.databaseName());
            String clientMsgId;
            try {
                ChatPage.send(browser, "during the outage");
                WebElement failed = browser.waitForVisible("#messages .message.failed", STEP);
                clientMsgId = failed.getDomAttribute("data-client-msg-id");
                String words = browser.waitForText("#messages .message.failed .delivery-text", "Try again in", STEP)
                        .getText();
                assertThat(words).matches("(?s).*(busy|database|reached).*Try again in \\d+ s\\..*");
                assertThat(failed.getText()).doesNotContain("503", "unavailable", "overloaded", "SQL");
                // the socket is still open, but the badge no longer says "Live": nothing sent now would be stored
                browser.waitUntil(STEP, "the connection badge to say the database is away", d ->
                        "degraded".equals(browser.find("#connection").getDomAttribute("data-state")) ? true : null);
                assertThat(browser.find("#connection").getText()).contains("cannot reach its database");
                browser.screenshot("error-shown");
            } finally {
                TestDatabase.acceptConnections(server.databaseName());
            }

            // The page retries by itself after the server's Retry-After; a person may also press Retry now.
            for (WebElement retry : browser.findAll("#messages .message.failed .retry")) {
                try {
                    retry.click();
                } catch (org.openqa.selenium.StaleElementReferenceException retriedMeanwhile) {
                    // the automatic retry replaced the button a moment before the click
                }
            }
            ChatPage.waitForAcknowledged(browser, "during the outage");
            browser.waitUntil(STEP, "the badge to say Live again", d ->
                    "live".equals(browser.find("#connection").getDomAttribute("data-state")) ? true : null);
            browser.screenshot("sent-after-retry");

            long conversationId = api.direct(bob, api.login(aliceName));
            JsonNode messages = api.get("/v1/conversations/" + conversationId + "/messages", bob.token()).json()
                    .path("messages");
            assertThat(messages).extracting(m -> m.path("body").asText())
                    .containsExactly("before the outage", "during the outage");
            assertThat(messages).extracting(m -> m.path("seq").asLong()).containsExactly(1L, 2L);
            assertThat(messages.get(1).path("clientMsgId").asText()).isEqualTo(clientMsgId);
            assertThat(browser.findAll("#messages .message")).hasSize(2);
        }
    }
}
