package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.Browser;
import dev.courier.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;

/**
 * A person works an incident in {@code /ops} from start to finish: acknowledges it, posts a status update, writes
 * the root cause, lessons and corrective actions, resolves it, reads the postmortem as a page and downloads it as
 * Markdown. The incident is one Courier recorded and resolved when its alert cleared, as a drill leaves it.
 */
class IncidentResponseBrowserTest {

    private static final Duration STEP = Duration.ofSeconds(15);

    @Test
    void anOperatorAcknowledgesAnnotatesResolvesAndDownloadsThePostmortem() {
        try (TestServer server = TestServer.start()) {
            long id = recordedIncident(server);
            try (Browser browser = Browser.open("incident-response")) {
                browser.get(server.baseUrl() + "/ops");
                browser.type("#admin-token", TestServer.ADMIN_TOKEN);
                browser.click("#token-form button[type=submit]");
                browser.waitForVisible("#incidents .incident-link", STEP);
                browser.click("#incidents .incident-link[data-id='" + id + "']");
                browser.waitForVisible("#incident-work", STEP);
                assertThat(browser.find("#incident-people").getText()).contains("Nobody has acknowledged");

                browser.click("#acknowledge");
                browser.waitForText("#incident-work-error", "Enter your name first", STEP);
                browser.type("#responder-name", "Dana Ops");
                browser.click("#acknowledge");
                browser.waitForText("#incident-people", "Acknowledged by Dana Ops", STEP);
                assertThat(browser.find("#acknowledge").isEnabled()).isFalse();

                new Select(browser.find("#note-kind")).selectByValue("status");
                browser.type("#note-text", "Sends recovered; looking for the leaking call site");
                browser.click("#note-form button[type=submit]");
                browser.waitForText("#incident-work-status", "posted to the alert webhooks", STEP);
                browser.waitForText("#incident-timeline li[data-kind='status']",
                        "Sends recovered; looking for the leaking call site", STEP);
                assertThat(browser.find("#incident-timeline li[data-kind='status'] .by").getText())
                        .isEqualTo("Dana Ops");
                browser.screenshot("acknowledged-with-status");

                browser.type("#root-cause", "messages.export kept its connection when the export failed");
                browser.type("#lessons", "The leak alert named the call site within seconds");
                browser.type("#corrective-actions", "Return the connection on every path of messages.export\n"
                        + "Add a test that fails the export");
                browser.click("#findings-form button[type=submit]");
                browser.waitForText("#incident-work-status", "Postmortem fields saved", STEP);

                browser.type("#resolve-summary", "Export fixed and redeployed");
                browser.click("#resolve-form button[type=submit]");
                browser.waitForText("#incident-people", "Closed by Dana Ops: Export fixed and redeployed", STEP);
                assertThat(browser.find("#resolve-form").isDisplayed()).isFalse();

                browser.click("#show-postmortem");
                browser.waitForText("#postmortem", "messages.export kept its connection", STEP);
                assertThat(browser.findAll("#postmortem h5")).extracting(e -> e.getText())
                        .contains("Issue Summary", "Timeline", "Lessons", "Corrective and Preventative Measures");
                assertThat(browser.findAll("#postmortem li.task input[type=checkbox]")).isNotEmpty();
                assertThat(browser.find("#postmortem").getText()).doesNotContain("**", "## ");
                browser.screenshot("postmortem-page");

                browser.waitForVisible("#download-postmortem", STEP);
                assertThat(browser.find("#download-postmortem").getDomAttribute("download"))
                        .isEqualTo("incident-" + id + "-postmortem.md");
                // the download is a data: URL; what follows its comma is what a click saves
                Object downloaded = browser.script("const href = document.getElementById('download-postmortem').href;"
                        + "return decodeURIComponent(href.slice(href.indexOf(',') + 1));");
                assertThat((String) downloaded).startsWith("# Postmortem: incident " + id)
                        .contains("- **Root cause:** messages.export kept its connection when the export failed",
                                "- [ ] Return the connection on every path of messages.export",
                                "**status** (Dana Ops) — Sends recovered", "closed by Dana Ops");
            }
            JsonNode stored = server.client().get("/v1/admin/incidents/" + id, TestServer.ADMIN_TOKEN).json();
            assertThat(stored.path("acknowledgedBy").asText()).isEqualTo("Dana Ops");
            assertThat(stored.path("resolvedBy").asText()).isEqualTo("Dana Ops");
            assertThat(stored.path("correctiveActions")).hasSize(2);
        }
    }

    /** An incident as Courier leaves one whose alert fired and cleared: resolved, nobody has worked it yet. */
    private static long recordedIncident(TestServer server) {
        long id = server.queryLong("INSERT INTO incidents (title, opened_at, resolved_at, requests, failed_requests, "
                + "active_users, affected_users) VALUES ('CourierLeakSuspected: connection leak suspected at "
                + "messages.export', now() - interval '10 minutes', now() - interval '8 minutes', 1200, 87, 40, 12) "
                + "RETURNING id");
        server.execute("INSERT INTO incident_events (incident_id, at, kind, summary, data) VALUES (" + id
                + ", now() - interval '10 minutes', 'alert_firing', 'CourierLeakSuspected: connection leak suspected "
                + "at messages.export', '{\"alert\": \"CourierLeakSuspected\", \"labels\": {\"call_site\": "
                + "\"messages.export\"}, \"runbook\": \"docs/runbooks/CourierLeakSuspected.md\", "
                + "\"severity\": \"critical\"}')");
        server.execute("INSERT INTO incident_events (incident_id, at, kind, summary, data) VALUES (" + id
                + ", now() - interval '8 minutes', 'alert_resolved', 'CourierLeakSuspected resolved after 120 s', "
                + "'{\"alert\": \"CourierLeakSuspected\", \"firedAt\": \"2026-01-01T00:00:00Z\"}')");
        return id;
    }
}
