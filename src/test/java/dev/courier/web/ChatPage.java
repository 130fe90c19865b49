package dev.courier.web;

import dev.courier.testing.ApiClient;
import dev.courier.testing.Browser;
import java.time.Duration;

/** What a person does in the chat client, step by step, in the page's own terms (ids and roles in index.html). */
final class ChatPage {

    private static final Duration STEP = Duration.ofSeconds(15);

    private ChatPage() {
    }

    static void register(Browser browser, String baseUrl, String username, String displayName) {
        browser.get(baseUrl + "/");
        browser.type("#register-username", username);
        browser.type("#register-display-name", displayName);
        browser.type("#register-password", ApiClient.PASSWORD);
        browser.click("#register-form button[type=submit]");
        browser.waitForText("#me-name", displayName, STEP);
    }

    static void signIn(Browser browser, String baseUrl, String username) {
        browser.get(baseUrl + "/");
        browser.type("#login-username", username);
        browser.type("#login-password", ApiClient.PASSWORD);
        browser.click("#login-form button[type=submit]");
        browser.waitForVisible("#chat", STEP);
    }

    static void startDirect(Browser browser, String username) {
        browser.click("#new-direct summary");
        browser.type("#direct-username", username);
        browser.click("#direct-form button[type=submit]");
        browser.waitForVisible("#composer", STEP);
    }

    static void send(Browser browser, String text) {
        browser.type("#composer-input", text);
        browser.click("#composer button[type=submit]");
    }

    /** Waits until the optimistic entry for {@code text} has become the stored message (it carries a seq). */
    static void waitForAcknowledged(Browser browser, String text) {
        browser.waitUntil(STEP, "\"" + text + "\" to be acknowledged", d -> browser
                .findAll("#messages .message[data-seq]:not(.pending)").stream()
                .filter(e -> e.getText().contains(text)).findFirst().orElse(null));
    }
}
