package dev.courier.loadtest.report;

/**
 * One second of a run, as the progress line and the report's charts show it.
 *
 * @param t             seconds since the run started, at the end of this interval
 * @param sent          sends started in this second
 * @param acked         sends acknowledged in this second
 * @param errors        sends failed in this second, refusals included
 * @param sendToRefusal the refusals answered in this second (its count) and their latency from the intended send time
 * @param pool          the server's pool at about this time, or null when {@code /metrics} could not be read
 * @param generator     how the load generator itself kept up in this second, or null when not measured
 */
public record Interval(long t, double targetRate, long sent, long acked, long errors, LatencySummary sendToAck,
                       LatencySummary sendToDelivered, LatencySummary sendToRefusal, PoolSample pool,
                       GeneratorSample generator) {

    /** The p99 of the pacer's lateness in this second, 0 when not measured. */
    public double generatorLateP99Ms() {
        return generator == null ? 0 : generator.lateP99Ms();
    }
}
