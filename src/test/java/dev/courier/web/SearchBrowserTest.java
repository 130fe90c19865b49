package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.RateLimitConfig;
import dev.courier.config.SecurityConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Browser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * A new user finds a message by a word and by a phrase in the web client, sees the words marked (and a body's markup
 * as text), and a click on a result opens the conversation at that message, reading older history to reach it.
 * Screenshots in {@code target/screenshots/search-*}.
 */
class SearchBrowserTest {

    // rate limits off: the conversation is filled with more than a hundred messages through the API beforehand
    @RegisterExtension
    static final TestServerExtension sharedServer = TestServerExtension.configuredBy(config -> config.withSecurity(
            SecurityConfig.defaults().withRateLimits(RateLimitConfig.off())));

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    private static final Duration STEP = Duration.ofSeconds(15);

    @Test
    void aNewUserFindsAMessageByAWordAndAPhraseAndAClickOpensItInItsConversation() {
        String name = ApiClient.uniqueUsername("finder");
        try (Browser browser = Browser.open("search")) {
            ChatPage.register(browser, server.baseUrl(), name, "Finder");
            TestUser finder = api.login(name);
            TestUser friend = api.newUser("friend");
            long group = api.group(friend, "Trip planning", finder);
            String target = "The <b>ferry</b> to Hvar leaves at 7 & the bus at 9";
            assertThat(api.sendMessage(friend, group, "Shall we take the ferry or fly?").status()).isEqualTo(201);
            long targetSeq = api.sendMessage(friend, group, target).json().path("seq").asLong();
            // enough later messages that the target is not on the conversation's latest page
            for (int i = 0; i < 120; i++) {
                assertThat(api.sendMessage(i % 2 == 0 ? friend : finder, group, "later message " + i).status())
                        .isEqualTo(201);
            }

            // A word: both ferry messages, newest first, the word marked and the body's markup shown as text.
            search(browser, "FERRY");
            List<WebElement> results = results(browser, 2);
            assertThat(results.get(0).findElement(By.cssSelector(".search-highlight")).getText()).isEqualTo(target);
            assertThat(results.get(0).findElements(By.cssSelector(".search-highlight mark")))
                    .extracting(WebElement::getText).containsExactly("ferry");
            assertThat(results.get(0).findElements(By.cssSelector(".search-highlight b"))).isEmpty();
            assertThat(results.get(0).getText()).contains("Trip planning");
            browser.screenshot("1-word");

            // A phrase: only the message that has the words in that order (its words are marked wherever they occur).
            search(browser, "\"bus at 9\"");
            results = results(browser, 1);
            assertThat(results.get(0).findElements(By.cssSelector(".search-highlight mark")))
                    .extracting(WebElement::getText).containsExactly("at", "bus", "at", "9");
            browser.screenshot("2-phrase");

            // A click opens the conversation at the message, reading older history to reach it.
            results.get(0).click();
            WebElement found = browser.waitUntil(STEP, "the found message shown and marked", d -> browser
                    .findAll("#messages .message.found").stream().findFirst().orElse(null));
            assertThat(found.getDomAttribute("data-seq")).isEqualTo(String.valueOf(targetSeq));
            assertThat(found.findElement(By.cssSelector(".body")).getText()).isEqualTo(target);
            assertThat(browser.find("#conversation-title").getText()).isEqualTo("Trip planning");
            assertThat((Boolean) browser.script("const r = arguments[0].getBoundingClientRect();"
                    + " const log = document.getElementById('messages').getBoundingClientRect();"
                    + " return r.top >= log.top && r.bottom <= log.bottom;", found)).as("in view").isTrue();
            browser.screenshot("3-opened");
            assertThat(browser.consoleLines()).noneMatch(line -> line.contains("SEVERE"));
        }
    }

    private static void search(Browser browser, String query) {
        WebElement input = browser.find("#search-input");
        input.clear();
        input.sendKeys(query, Keys.ENTER);
    }

    /** The results once there are exactly {@code count} of them and the search has finished. */
    private static List<WebElement> results(Browser browser, int count) {
        return browser.waitUntil(STEP, count + " results", d -> {
            List<WebElement> shown = browser.findAll("#search-results .search-result");
            boolean done = !browser.find("#search-status").getText().startsWith("Searching");
            return done && shown.size() == count ? shown : null;
        });
    }
}
