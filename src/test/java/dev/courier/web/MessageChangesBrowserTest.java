package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Browser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Two new users, each in their own headless Chromium, reply, mention, react, edit and delete in the web client; each
 * sees the other's changes live, and one that was offline sees them after it reconnects. Screenshots in
 * {@code target/screenshots/changes-*}.
 */
@ExtendWith(TestServerExtension.class)
class MessageChangesBrowserTest {

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    private static final Duration LIVE = Duration.ofSeconds(20);
    private static final Duration STEP = Duration.ofSeconds(15);
    private static final String THUMBS_UP = "\uD83D\uDC4D";
    private static final String PARTY = "\uD83C\uDF89";

    @Test
    void twoPeopleReplyMentionReactEditAndDeleteAndSeeEachOthersChangesLiveAndAfterAReconnect() {
        String aliceName = ApiClient.uniqueUsername("alice");
        String bobName = ApiClient.uniqueUsername("bob");
        List<String> console = new ArrayList<>();
        try (Browser alice = Browser.open("changes-alice"); Browser bob = Browser.open("changes-bob")) {
            ChatPage.register(alice, server.baseUrl(), aliceName, "Alice");
            ChatPage.register(bob, server.baseUrl(), bobName, "Bob");
            waitForLive(alice);
            waitForLive(bob);
            ChatPage.startDirect(alice, bobName);
            ChatPage.send(alice, "Lunch at noon?");
            ChatPage.waitForAcknowledged(alice, "Lunch at noon?");

            // Bob answers Alice's message, mentioning her with the completion.
            bob.click("#conversation-list .conversation-link");
            ChatPage.act(bob, "Lunch at noon?", "reply");
            bob.waitForText("#reply-banner", "Lunch at noon?", STEP);
            ChatPage.typeInComposer(bob, "Yes @ali");
            bob.waitForText("#mention-suggestions .mention-option[aria-selected=true]", "@" + aliceName, STEP);
            bob.screenshot("1-mention-completion");
            ChatPage.typeInComposer(bob, Keys.TAB);
            ChatPage.typeInComposer(bob, "see you there");
            String reply = "Yes @" + aliceName + " see you there";
            assertThat(bob.find("#composer-input").getDomProperty("value")).isEqualTo(reply);
            ChatPage.typeInComposer(bob, Keys.ENTER);
            ChatPage.waitForAcknowledged(bob, reply);
            assertThat(bob.find("#reply-banner").isDisplayed()).isFalse();

            // Alice sees the reply live, quoting her message, with her name set apart as a mention of her.
            WebElement answered = ChatPage.message(alice, reply);
            assertThat(answered.findElement(By.cssSelector(".quote")).getText()).contains("Lunch at noon?");
            assertThat(answered.findElement(By.cssSelector(".mention-me")).getText()).isEqualTo("@" + aliceName);

            // Alice reacts; Bob sees it live.
            ChatPage.react(alice, reply, THUMBS_UP);
            bob.waitForText("#messages .message .reaction[data-emoji=\"" + THUMBS_UP + "\"] .reaction-count", "1",
                    LIVE);
            assertThat(alice.find("#messages .message .reaction[data-emoji=\"" + THUMBS_UP + "\"]")
                    .getDomAttribute("aria-pressed")).isEqualTo("true");

            // Alice edits her message: Bob sees the new text, "edited", and his reply's quote follows.
            ChatPage.edit(alice, "Lunch at noon?", "Lunch at 12:30?");
            WebElement edited = ChatPage.message(bob, "Lunch at 12:30?");
            assertThat(edited.findElement(By.cssSelector(".edited")).isDisplayed()).isTrue();
            bob.waitUntil(LIVE, "the quote to follow the edit", d -> ChatPage.message(bob, reply)
                    .findElement(By.cssSelector(".quote")).getText().contains("Lunch at 12:30?") ? true : null);

            // Alice sends a message by mistake and deletes it; Bob sees "Message deleted" where it was.
            ChatPage.send(alice, "wrong chat, sorry");
            ChatPage.waitForAcknowledged(alice, "wrong chat, sorry");
            ChatPage.message(bob, "wrong chat, sorry");
            ChatPage.delete(alice, "wrong chat, sorry");
            bob.waitForText("#messages .message.deleted .body", "Message deleted", LIVE);
            alice.screenshot("2-live");
            bob.screenshot("2-live");

            // Bob loses his network; meanwhile Alice edits again, reacts and deletes. Back online, Bob catches up.
            bob.setOffline(true);
            try {
                bob.waitUntil(LIVE, "Bob's page to see the connection gone", d -> List.of("reconnecting", "offline")
                        .contains(bob.find("#connection").getDomAttribute("data-state")) ? true : null);
                ChatPage.edit(alice, "Lunch at 12:30?", "Lunch at 1 then");
                ChatPage.react(alice, reply, PARTY);
                alice.waitForVisible("#messages .message .reaction[data-emoji=\"" + PARTY + "\"]", LIVE);
                alice.click("#messages .message .reaction[data-emoji=\"" + THUMBS_UP + "\"]"); // takes it back
                alice.waitForAbsent("#messages .message .reaction[data-emoji=\"" + THUMBS_UP + "\"]", LIVE);
                ChatPage.send(alice, "and this one goes too");
                ChatPage.waitForAcknowledged(alice, "and this one goes too");
                ChatPage.delete(alice, "and this one goes too");
                bob.screenshot("3-offline");
            } finally {
                bob.setOffline(false);
            }
            waitForLive(bob);
            ChatPage.message(bob, "Lunch at 1 then");
            bob.waitForText("#messages .message .reaction[data-emoji=\"" + PARTY + "\"] .reaction-count", "1", LIVE);
            bob.waitForAbsent("#messages .message .reaction[data-emoji=\"" + THUMBS_UP + "\"]", LIVE);
            bob.waitUntil(LIVE, "both deleted messages to show as deleted",
                    d -> bob.findAll("#messages .message.deleted").size() == 2 ? true : null);
            bob.waitUntil(LIVE, "the quote to follow the edit made offline", d -> ChatPage.message(bob, reply)
                    .findElement(By.cssSelector(".quote")).getText().contains("Lunch at 1 then") ? true : null);
            bob.screenshot("4-caught-up");

            // What each page shows is what the server stored.
            TestUser bobUser = api.login(bobName);
            long conversation = Long.parseLong(bob.find("#conversation-list .conversation-link").getDomAttribute(
                    "data-id"));
            JsonNode stored = api.get("/v1/conversations/" + conversation + "/messages", bobUser.token()).json()
                    .path("messages");
            assertThat(stored).extracting(m -> m.path("body").asText())
                    .containsExactly("Lunch at 1 then", reply, "", "");
            assertThat(stored.get(1).path("replyTo").asLong()).isEqualTo(1);
            assertThat(stored.get(1).path("mentions")).extracting(JsonNode::asLong).containsExactly(
                    api.get("/v1/users/" + aliceName, bobUser.token()).json().path("id").asLong());
            for (Browser page : List.of(alice, bob)) {
                assertThat(page.findAll("#messages .message .body")).extracting(WebElement::getText)
                        .containsExactly("Lunch at 1 then", reply, "Message deleted", "Message deleted");
            }
            console.addAll(alice.consoleLines());
            console.addAll(bob.consoleLines());
        }
        assertThat(console).noneMatch(line -> line.contains("Content Security Policy"));
    }

    private static void waitForLive(Browser browser) {
        browser.waitUntil(LIVE, "the page to be live",
                d -> "live".equals(browser.find("#connection").getDomAttribute("data-state")) ? true : null);
    }
}
