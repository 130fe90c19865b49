package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.StreamClient;
import dev.courier.testing.TestServer;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.session.DefaultSessionCache;
import org.junit.jupiter.api.Test;

/**
 * Javalin opens a servlet session for every WebSocket upgrade, refused ones included. Courier uses none, and Jetty
 * would by default keep each in memory for good: anyone could grow the heap with unauthenticated upgrades.
 */
class UpgradeSessionsTest {

    @Test
    void refusedAndClosedStreamsLeaveNoSessionInMemoryAndSetNoCookie() {
        try (TestServer server = TestServer.start()) {
            String token = server.client().newUser("streamer").token();
            for (int i = 0; i < 200; i++) {
                try {
                    StreamClient.open(server.baseUrl(), null, false).close();
                    throw new AssertionError("an upgrade without a token was accepted");
                } catch (CompletionException e) {
                    var refused = ((WebSocketHandshakeException) e.getCause()).getResponse();
                    assertThat(refused.statusCode()).isEqualTo(401);
                    assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
                }
            }
            for (int i = 0; i < 20; i++) {
                StreamClient.connect(server.baseUrl(), token).close();
            }
            DefaultSessionCache sessions = (DefaultSessionCache) server.server().jetty()
                    .getDescendant(SessionHandler.class).getSessionCache();
            // the upgrades did open sessions (so the count below can see them), and none outlived its request
            assertThat(sessions.getSessionsTotal()).isGreaterThanOrEqualTo(220);
            assertThat(sessions.getSessionsCurrent()).isZero();
        }
    }
}
