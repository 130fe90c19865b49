package dev.courier.loadtest;

/**
 * One second of a run, as the progress line and the report's charts show it.
 *
 * @param t          seconds since the run started, at the end of this interval
 * @param sent       sends started in this second
 * @param acked      sends acknowledged in this second
 * @param errors     sends failed in this second
 * @param pool       the server's pool at about this time, or null when {@code /metrics} could not be read
 */
public record Interval(long t, double targetRate, long sent, long acked, long errors, LatencySummary sendToAck,
                       LatencySummary sendToDelivered, PoolSample pool) {
}
