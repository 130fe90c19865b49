package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Browser;
import dev.courier.testing.FailoverProxy;
import dev.courier.testing.NodeProcess;
import dev.courier.testing.TestDatabase;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The node a live page is connected to stops (SIGTERM, behind a balancer): it closes the page's stream with 1001, and
 * the page takes that as a move, not a failure: it never says it is offline, comes back live on the other node, and
 * shows the messages sent meanwhile once each.
 */
@Tag("needs-stream")
class NodeGoingAwayBrowserTest {

    private static final Duration STEP = Duration.ofSeconds(20);
    /** Every connection state the page shows, in order, kept by the page itself so that none is missed between polls. */
    private static final String RECORD_STATES = """
            window.connectionStates = [document.querySelector('#connection').getAttribute('data-state')];
            new MutationObserver(() => window.connectionStates.push(
                document.querySelector('#connection').getAttribute('data-state')))
              .observe(document.querySelector('#connection'), { attributes: true, attributeFilter: ['data-state'] });
            """;

    @Test
    void aPageWhoseNodeStopsMovesToAnotherNodeWithoutAnErrorAndCatchesUp() throws Exception {
        String database = TestDatabase.freshDatabase().jdbcUrl();
        try (NodeProcess first = NodeProcess.start(database, "--rate-limits", "off", "--drain-timeout", "5s");
             NodeProcess second = NodeProcess.start(database, "--rate-limits", "off");
             FailoverProxy balancer = new FailoverProxy(List.of(port(first), port(second)));
             Browser browser = Browser.open("node-going-away")) {
            ApiClient api = new ApiClient(balancer.baseUrl());
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long conversation = api.direct(alice, bob);
            assertThat(api.sendMessage(alice, conversation, "before the restart").status()).isEqualTo(201);
            ChatPage.signIn(browser, balancer.baseUrl(), bob.username());
            waitForState(browser, "live", STEP);
            browser.click("#conversation-list .conversation-link");
            browser.waitForText("#messages .message", "before the restart", STEP);
            browser.script(RECORD_STATES);

            first.terminate();
            browser.waitUntil(STEP, "the page to notice its node going away", d ->
                    Boolean.TRUE.equals(browser.script("return window.connectionStates.length > 1;")) ? true : null);
            // sent through the balancer while the page moves; the draining node answers 503 with Retry-After until
            // it has gone and the balancer sends the connection to the second node, as a client retrying would find
            for (int i = 1; i <= 3; i++) {
                sendUntilStored(api, alice, conversation, "during the move " + i);
            }
            assertThat(first.awaitExit(Duration.ofSeconds(30))).as("the first node's exit code").isZero();

            waitForState(browser, "live", Duration.ofSeconds(45));
            browser.waitForText("#messages .message", "during the move 3", STEP);
            assertThat(api.sendMessage(alice, conversation, "after the move").status()).isEqualTo(201);
            browser.waitForText("#messages .message", "after the move", STEP);
            browser.screenshot("moved");

            assertThat(browser.findAll("#messages .message .body")).extracting(e -> e.getText())
                    .containsExactly("before the restart", "during the move 1", "during the move 2",
                            "during the move 3", "after the move");
            @SuppressWarnings("unchecked")
            List<String> states = (List<String>) browser.script("return window.connectionStates;");
            assertThat(states).as("the page's connection states while its node stopped")
                    .contains("reconnecting")
                    .doesNotContain("offline")
                    .endsWith("live");
        }
    }

    private static void sendUntilStored(ApiClient api, TestUser sender, long conversation, String body)
            throws InterruptedException {
        // the same clientMsgId every time, as the contract asks of a client sending again
        java.util.Map<String, Object> send = java.util.Map.of("clientMsgId", java.util.UUID.randomUUID().toString(),
                "body", body);
        String path = "/v1/conversations/" + conversation + "/messages";
        long deadline = System.nanoTime() + STEP.toNanos();
        int status = api.post(path, sender.token(), send).status();
        while (status == 503 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            status = api.post(path, sender.token(), send).status();
        }
        assertThat(status).as("sending " + body).isEqualTo(201);
    }

    private static String state(Browser browser) {
        return browser.find("#connection").getDomAttribute("data-state");
    }

    private static void waitForState(Browser browser, String wanted, Duration timeout) {
        browser.waitUntil(timeout, "the page to be " + wanted, d -> wanted.equals(state(browser)) ? true : null);
    }

    private static int port(NodeProcess node) {
        return URI.create(node.baseUrl()).getPort();
    }
}
