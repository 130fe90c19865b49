package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.Browser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Dimension;

/** /api-docs/ in a headless Chromium: the vendored Swagger UI renders /openapi.json under the page's strict CSP. */
@ExtendWith(TestServerExtension.class)
class ApiReferenceBrowserTest {

    @SharedServer
    private static TestServer server;

    @Test
    void theReferencePageListsTheOperationsOfTheDocument() {
        try (Browser browser = Browser.open("api-docs")) {
            browser.get(server.baseUrl() + "/api-docs/");

            browser.waitForVisible(".swagger-ui .opblock", Duration.ofSeconds(30));
            assertThat(browser.find(".swagger-ui .info .title").getText()).startsWith("Courier");
            assertThat(browser.findAll(".swagger-ui .opblock-summary-path"))
                    .extracting(e -> e.getAttribute("data-path"))
                    .contains("/v1/accounts", "/v1/conversations/{id}/messages", "/openapi.json");
            browser.driver().manage().window().setSize(new Dimension(1280, 1600));
            browser.screenshot("reference");
            assertThat(browser.consoleLines()).noneMatch(line -> line.contains("Content Security Policy"));
        }
    }
}
