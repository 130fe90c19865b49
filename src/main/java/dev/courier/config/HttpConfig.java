package dev.courier.config;

/** Where the HTTP and WebSocket server listens. Port 0 picks a free port (tests use that). */
public record HttpConfig(String host, int port) {

    public HttpConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
        }
    }
}
