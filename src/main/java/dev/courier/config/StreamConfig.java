package dev.courier.config;

import java.time.Duration;

/**
 * @param bus              fan-out between nodes: {@code postgres} (LISTEN/NOTIFY) or {@code nats://host:port}
 * @param maxQueuedFrames  frames a connection may have waiting to be written before it is closed with 4008
 * @param maxQueuedBytes   bytes a connection may have waiting to be written before it is closed with 4008
 * @param pingInterval     how often the server pings a connection
 * @param idleTimeout      a connection that sends nothing (not even a pong) for this long is dropped
 * @param presence         how presence follows the streams: the reconnect grace and the nodes' leases
 */
public record StreamConfig(String bus, int maxQueuedFrames, long maxQueuedBytes, Duration pingInterval,
                           Duration idleTimeout, PresenceConfig presence) {

    public static final String POSTGRES = "postgres";

    public static StreamConfig defaults() {
        return new StreamConfig(POSTGRES, 1_000, 4L << 20, Duration.ofSeconds(20), Duration.ofSeconds(60),
                PresenceConfig.defaults());
    }

    public StreamConfig {
        if (!bus.equals(POSTGRES) && !bus.startsWith("nats://")) {
            throw new IllegalArgumentException("--bus must be 'postgres' or a nats://host:port URL, not '" + bus + "'");
        }
        if (maxQueuedFrames < 1 || maxQueuedBytes < 1) {
            throw new IllegalArgumentException("the stream's outbound queue limits must be positive");
        }
        if (pingInterval.isNegative() || pingInterval.isZero() || idleTimeout.compareTo(pingInterval) <= 0) {
            throw new IllegalArgumentException("the stream's idle timeout must be longer than its ping interval");
        }
    }

    public StreamConfig withBus(String newBus) {
        return new StreamConfig(newBus, maxQueuedFrames, maxQueuedBytes, pingInterval, idleTimeout, presence);
    }

    public StreamConfig withMaxQueuedFrames(int frames) {
        return new StreamConfig(bus, frames, maxQueuedBytes, pingInterval, idleTimeout, presence);
    }

    public StreamConfig withPresence(PresenceConfig newPresence) {
        return new StreamConfig(bus, maxQueuedFrames, maxQueuedBytes, pingInterval, idleTimeout, newPresence);
    }
}
