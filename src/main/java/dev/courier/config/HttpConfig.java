package dev.courier.config;

import java.time.Duration;

/**
 * Where the HTTP and WebSocket server listens, and how long a stopping node drains. Port 0 picks a free port (tests
 * use that).
 *
 * @param drainTimeout on SIGTERM, the longest the node waits for its in-flight requests and sends to be answered and
 *                     its streams to close (with 1001) before it exits regardless
 */
public record HttpConfig(String host, int port, Duration drainTimeout) {

    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);

    public HttpConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
        }
        if (drainTimeout.isNegative() || drainTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("--drain-timeout must be between 0s and 10m, got " + drainTimeout);
        }
    }

    public HttpConfig(String host, int port) {
        this(host, port, DEFAULT_DRAIN_TIMEOUT);
    }

    public HttpConfig withDrainTimeout(Duration timeout) {
        return new HttpConfig(host, port, timeout);
    }
}
