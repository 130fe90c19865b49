package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The pages come from the jar with their types and a Content-Security-Policy that forbids inline code. */
@ExtendWith(TestServerExtension.class)
class StaticPagesTest {

    @SharedServer
    private static ApiClient client;

    @Test
    void theChatClientIsServedAtTheRootWithAStrictContentSecurityPolicy() {
        Response page = client.get("/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("<script type=\"module\" src=\"/js/chat.js\">");
        String policy = page.header("Content-Security-Policy");
        assertThat(policy).contains("default-src 'none'", "script-src 'self'", "style-src 'self'",
                "connect-src 'self'", "frame-ancestors 'none'");
        assertThat(policy).doesNotContain("unsafe-inline", "unsafe-eval");
    }

    @Test
    void theConsoleIsServedAtOpsWithItsChartLibraryFromTheJar() {
        Response page = client.get("/ops", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("src=\"/vendor/uPlot.iife.min.js\"", "src=\"/js/ops.js\"");
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'");
        Response library = client.get("/vendor/uPlot.iife.min.js", null);
        assertThat(library.status()).isEqualTo(200);
        assertThat(library.header("Content-Type")).startsWith("text/javascript");
        assertThat(library.body()).contains("uPlot");
    }

    @Test
    void noPageCarriesInlineScriptsOrStyles() {
        for (String path : new String[] {"/", "/ops"}) {
            String html = client.get(path, null).body();
            assertThat(html).as(path).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
            assertThat(html).as(path).doesNotContain("<style", " style=", " onclick=", " onload=", "javascript:");
        }
    }

    @Test
    void anUnknownFileAnswersTheContractsNotFound() {
        Response missing = client.get("/js/no-such-file.js", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("not_found");
    }
}
