package dev.courier.config;

/**
 * Limits the WebSocket stream enforces.
 *
 * @param maxFrameBytes         largest client frame, in bytes; a bigger one closes the stream with 1009 (message too big)
 * @param maxStreamsPerUser     open streams one user may hold at once, over all their devices
 */
public record StreamLimits(int maxFrameBytes, int maxStreamsPerUser) {

    public static StreamLimits defaults() {
        return new StreamLimits(65_536, 16);
    }

    public StreamLimits {
        if (maxFrameBytes < 1_024 || maxFrameBytes > 1_048_576) {
            throw new IllegalArgumentException("the stream frame limit must be between 1024 and 1048576 bytes");
        }
        if (maxStreamsPerUser < 1 || maxStreamsPerUser > 1_000) {
            throw new IllegalArgumentException("--max-streams-per-user must be between 1 and 1000, got "
                    + maxStreamsPerUser);
        }
    }
}
