package dev.courier.config;

/**
 * What the node's scaling signal is measured against.
 *
 * @param streamCapacity open streams one node is sized for (docs/scaling.md derives it); the streams' share of the
 *                       saturation gauge is the open streams over this. Not a limit: streams beyond it are served.
 * @param target         the saturation an autoscaler keeps each node at (0 to 1): the gauge's threshold, and the
 *                       divisor of the recommended replica count
 */
public record ScalingConfig(int streamCapacity, double target) {

    public static final int DEFAULT_STREAM_CAPACITY = 20_000;
    public static final double DEFAULT_TARGET = 0.7;

    public ScalingConfig {
        if (streamCapacity < 1) {
            throw new IllegalArgumentException("--stream-capacity must be at least 1, got " + streamCapacity);
        }
        if (!(target > 0 && target <= 1)) {
            throw new IllegalArgumentException("--scale-target must be above 0 and at most 1, got " + target);
        }
    }

    public static ScalingConfig defaults() {
        return new ScalingConfig(DEFAULT_STREAM_CAPACITY, DEFAULT_TARGET);
    }
}
