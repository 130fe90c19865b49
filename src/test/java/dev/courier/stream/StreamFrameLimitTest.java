package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.SecurityConfig;
import dev.courier.config.StreamLimits;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The stream's frame limit comes from {@link StreamLimits#maxFrameBytes()}: a frame over it closes the stream. */
class StreamFrameLimitTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int LIMIT = 2_048;

    @Test
    void aFrameAtTheLimitIsReadAndOneByteMoreClosesTheStreamWith1009() {
        try (TestServer server = TestServer.start(cfg -> cfg.withSecurity(limitingFrames(cfg.security())))) {
            ApiClient api = server.client();
            TestUser alice = api.newUser("framed");
            try (StreamClient stream = StreamClient.connect(server.baseUrl(), alice.token())) {
                stream.send(ping(LIMIT));
                assertThat(stream.nextOfType("pong", WAIT).path("type").asText()).isEqualTo("pong");
                assertThat(stream.isClosed()).isFalse();

                stream.send(ping(LIMIT + 1));
                assertThat(stream.awaitClose(WAIT)).isEqualTo(1009);
            }
        }
    }

    private static SecurityConfig limitingFrames(SecurityConfig security) {
        return new SecurityConfig(security.rateLimits(), security.trustedProxies(), security.corsOrigins(),
                new StreamLimits(LIMIT, security.stream().maxStreamsPerUser()));
    }

    /** A {@code ping} frame of exactly {@code bytes} ASCII bytes, padded with JSON whitespace. */
    private static String ping(int bytes) {
        String open = "{\"type\":\"ping\"";
        return open + " ".repeat(bytes - open.length() - 1) + "}";
    }
}
