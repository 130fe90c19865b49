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

/**
 * Two people, each in their own headless Chromium, use the web client against a real server. Messages are waited
 * for rather than expected at once, so the same test holds over the live stream and over the polling fallback.
 */
@ExtendWith(TestServerExtension.class)
class ChatClientBrowserTest {

    // Polling runs every 3 s; the stream is faster. Generous for a shared, busy machine.
    private static final Duration DELIVERY = Duration.ofSeconds(20);
    private static final Duration STEP = Duration.ofSeconds(10);

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    @Test
    void twoPeopleChatAndTheUnreadCountRisesAndClears() {
        String aliceName = ApiClient.uniqueUsername("alice");
        String bobName = ApiClient.uniqueUsername("bob");
        List<String> console = new ArrayList<>();
        try (Browser alice = Browser.open("chat-alice"); Browser bob = Browser.open("chat-bob")) {
            ChatPage.register(alice, server.baseUrl(), aliceName, "Alice");
            ChatPage.register(bob, server.baseUrl(), bobName, "Bob");
            bob.screenshot("1-signed-in");
            // Live over the stream where the server has it, otherwise the visible polling fallback.
            assertThat(bob.waitForVisible("#connection", STEP).getDomAttribute("data-state")).isIn("live", "polling",
                    "connecting");

            ChatPage.startDirect(alice, bobName);
            alice.waitForText("#conversation-title", "Bob", STEP);
            ChatPage.send(alice, "Hello Bob, are you there?");
            ChatPage.waitForAcknowledged(alice, "Hello Bob, are you there?");

            // Bob has not opened the conversation: it appears with one unread message.
            alice.screenshot("2-sent");
            bob.waitForText("#conversation-list .conversation-link .unread", "1", DELIVERY);
            bob.screenshot("2-unread");

            bob.click("#conversation-list .conversation-link");
            bob.waitForText("#messages .message", "Hello Bob, are you there?", STEP);
            bob.waitForAbsent("#conversation-list .unread", STEP);
            long conversationId = Long.parseLong(bob.find("#conversation-list .conversation-link").getDomAttribute(
                    "data-id"));
            TestUser bobUser = api.login(bobName);
            bob.waitUntil(STEP, "Bob's read marker on the server", d ->
                    conversation(bobUser, conversationId).path("unread").asInt(-1) == 0 ? true : null);

            ChatPage.send(bob, "Yes! Hi Alice.");
            alice.waitForText("#messages .message", "Yes! Hi Alice.", DELIVERY);
            bob.screenshot("3-conversation");
            alice.screenshot("3-conversation");

            JsonNode messages = api.get("/v1/conversations/" + conversationId + "/messages", bobUser.token()).json()
                    .path("messages");
            assertThat(messages).extracting(m -> m.path("body").asText())
                    .containsExactly("Hello Bob, are you there?", "Yes! Hi Alice.");
            assertThat(messages).extracting(m -> m.path("seq").asLong()).containsExactly(1L, 2L);
            // Each person sees each message once, in order, whichever way it arrived.
            assertThat(alice.findAll("#messages .message .body")).extracting(e -> e.getText())
                    .containsExactly("Hello Bob, are you there?", "Yes! Hi Alice.");
            assertThat(bob.findAll("#messages .message .body")).extracting(e -> e.getText())
                    .containsExactly("Hello Bob, are you there?", "Yes! Hi Alice.");
            console.addAll(alice.consoleLines());
            console.addAll(bob.consoleLines());
        }
        assertThat(console).noneMatch(line -> line.contains("Content Security Policy"));
    }

    @Test
    void olderMessagesLoadWhenScrollingUp() {
        TestUser carol = api.newUser("carol");
        TestUser dave = api.newUser("dave");
        long conversationId = api.direct(carol, dave);
        for (int i = 1; i <= 80; i++) {
            assertThat(api.sendMessage(carol, conversationId, "message number " + i).status()).isEqualTo(201);
        }
        try (Browser browser = Browser.open("history")) {
            ChatPage.signIn(browser, server.baseUrl(), dave.username());
            browser.click("#conversation-list .conversation-link");
            browser.waitForText("#messages .message", "message number 80", STEP);
            assertThat(browser.findAll("#messages .message")).hasSize(50);

            browser.script("document.getElementById('messages').scrollTop = 0;");
            browser.waitForText("#messages .message", "message number 1", STEP);
            browser.waitForText("#history-status", "beginning of the conversation", STEP);
            assertThat(browser.findAll("#messages .message .body")).extracting(e -> e.getText())
                    .hasSize(80).first().isEqualTo("message number 1");
            browser.screenshot("older-loaded");
        }
    }

    @Test
    void aGroupIsCreatedWithMembersFoundByUsername() {
        TestUser erin = api.newUser("erin");
        TestUser frank = api.newUser("frank");
        String ownerName = ApiClient.uniqueUsername("owner");
        try (Browser browser = Browser.open("group")) {
            ChatPage.register(browser, server.baseUrl(), ownerName, "Owner");
            browser.click("#new-group summary");
            browser.type("#group-title", "Release planning");
            browser.type("#group-members", erin.username() + ", " + frank.username());
            browser.click("#group-form button[type=submit]");
            browser.waitForText("#conversation-title", "Release planning", STEP);
            browser.waitForText("#conversation-members", "erin", STEP);
            ChatPage.send(browser, "Welcome, both of you");
            ChatPage.waitForAcknowledged(browser, "Welcome, both of you");

            browser.click("#new-direct summary");
            browser.type("#direct-username", "nobody-by-this-name");
            browser.click("#direct-form button[type=submit]");
            browser.waitForText("#direct-error", "Nobody is called", STEP);
            browser.screenshot("group");
        }
        JsonNode list = api.get("/v1/conversations", frank.token()).json().path("conversations");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("title").asText()).isEqualTo("Release planning");
        assertThat(list.get(0).path("members")).hasSize(3);
        assertThat(list.get(0).path("unread").asInt()).isEqualTo(1);
    }

    private static JsonNode conversation(TestUser user, long id) {
        return api.get("/v1/conversations/" + id, user.token()).json();
    }
}
