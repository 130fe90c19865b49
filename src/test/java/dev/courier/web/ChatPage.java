package dev.courier.web;

import dev.courier.testing.ApiClient;
import dev.courier.testing.Browser;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

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

    /** The shown, acknowledged message whose body is {@code text}, once there is one. */
    static WebElement message(Browser browser, String text) {
        return browser.waitUntil(STEP, "a message \"" + text + "\"", d -> browser
                .findAll("#messages .message[data-seq]").stream()
                .filter(e -> e.findElement(By.cssSelector(".body")).getText().equals(text)).findFirst().orElse(null));
    }

    /** Clicks the action ({@code reply}, {@code react}, {@code edit}, {@code delete}) of the message {@code text}. */
    static void act(Browser browser, String text, String action) {
        browser.waitUntil(STEP, action + " on \"" + text + "\"", d -> {
            WebElement button = message(browser, text).findElement(By.cssSelector(".actions ." + action));
            button.click();
            return true;
        });
    }

    /** Reacts to the message {@code text} with the picker's {@code emoji}. */
    static void react(Browser browser, String text, String emoji) {
        act(browser, text, "react");
        browser.click(".emoji-picker button[data-emoji=\"" + emoji + "\"]");
    }

    /** Edits the message {@code text} in place and saves it with Enter. */
    static void edit(Browser browser, String text, String newText) {
        act(browser, text, "edit");
        browser.type("#messages .edit-form textarea", newText);
        browser.find("#messages .edit-form textarea").sendKeys(Keys.ENTER);
        message(browser, newText);
    }

    /** Deletes the message {@code text}: the first click asks, the second deletes. */
    static void delete(Browser browser, String text) {
        act(browser, text, "delete");
        act(browser, text, "delete.confirm");
    }

    /** Types into the composer without sending (keys such as Tab or Enter go through as typed). */
    static void typeInComposer(Browser browser, CharSequence... keys) {
        browser.waitForVisible("#composer-input", STEP).sendKeys(keys);
    }
}
