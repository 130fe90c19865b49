package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.Browser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One person signed in in two browsers: from the settings page of one, they see both sessions, sign the other out,
 * rename themselves, change their password (the other browser, signed in again, is signed out at once), download
 * their data and delete their account.
 */
@Tag("needs-stream")
@ExtendWith(TestServerExtension.class)
class SettingsBrowserTest {

    private static final Duration STEP = Duration.ofSeconds(20);
    private static final String NEW_PASSWORD = "a brand new password";

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    private static void signIn(Browser browser, String username, String password) {
        browser.get(server.baseUrl() + "/");
        browser.type("#login-username", username);
        browser.type("#login-password", password);
        browser.click("#login-form button[type=submit]");
        browser.waitForVisible("#chat", STEP);
    }

    @Test
    void aPersonManagesTheirSessionsPasswordDataAndAccountFromTheSettingsPage() {
        String username = ApiClient.uniqueUsername("ada");
        try (Browser laptop = Browser.open("settings-laptop"); Browser phone = Browser.open("settings-phone")) {
            ChatPage.register(laptop, server.baseUrl(), username, "Ada");
            signIn(phone, username, ApiClient.PASSWORD);

            laptop.click("#open-settings");
            laptop.waitForVisible("#settings", STEP);
            laptop.waitUntil(STEP, "both sessions listed", d -> laptop.findAll("#session-list li").size() == 2
                    ? true : null);
            assertThat(laptop.find("#session-list").getText()).contains("This browser").contains("Chrome");
            laptop.screenshot("1-two-sessions");

            // the phone's session, signed out from the laptop: its page ends its session at once
            laptop.click("#session-list li button");
            laptop.waitUntil(STEP, "one session left", d -> laptop.findAll("#session-list li").size() == 1
                    ? true : null);
            phone.waitForVisible("#auth", STEP);
            phone.waitForText("#auth-notice", "signed out", STEP);
            phone.screenshot("2-phone-signed-out");

            laptop.find("#settings-display-name").clear();
            laptop.type("#settings-display-name", "Ada Lovelace");
            laptop.click("#name-form button[type=submit]");
            laptop.waitForText("#me-name", "Ada Lovelace", STEP);

            // signed in again on the phone; a new password on the laptop signs the phone out
            signIn(phone, username, ApiClient.PASSWORD);
            laptop.type("#current-password", "not my password");
            laptop.type("#new-password", NEW_PASSWORD);
            laptop.click("#password-form button[type=submit]");
            laptop.waitForText("#password-error", "not your current password", STEP);
            assertThat(phone.find("#chat").isDisplayed()).isTrue();
            laptop.find("#current-password").clear();
            laptop.type("#current-password", ApiClient.PASSWORD);
            laptop.click("#password-form button[type=submit]");
            laptop.waitForText("#password-status", "other sessions were signed out", STEP);
            phone.waitForVisible("#auth", STEP);
            phone.waitForText("#auth-notice", "signed out", STEP);
            laptop.screenshot("3-password-changed");
            assertThat(laptop.find("#settings").isDisplayed()).as("the laptop stays signed in").isTrue();

            laptop.click("#export-button");
            laptop.waitForText("#export-status", "Downloaded", STEP);

            signIn(phone, username, NEW_PASSWORD);
            laptop.type("#delete-password", NEW_PASSWORD);
            laptop.click("#delete-form button[type=submit]");
            laptop.waitForText("#delete-error", "Tick the box", STEP);
            laptop.click("#delete-confirm");
            laptop.click("#delete-form button[type=submit]");
            laptop.waitForVisible("#auth", STEP);
            laptop.waitForText("#auth-notice", "account was deleted", STEP);
            phone.waitForVisible("#auth", STEP);
            laptop.screenshot("4-deleted");
            assertThat(laptop.consoleLines()).noneMatch(line -> line.contains("Uncaught"));
            assertThat(phone.consoleLines()).noneMatch(line -> line.contains("Uncaught"));
        }
        // the username is free again
        assertThat(api.post("/v1/accounts", null, java.util.Map.of("username", username, "password",
                ApiClient.PASSWORD)).status()).isEqualTo(201);
    }
}
