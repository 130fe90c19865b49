package dev.courier.loadtest.report;

/**
 * The server's connection pool as its {@code /metrics} page shows it (HikariCP's gauges, summed over pools).
 * A missing gauge is -1.
 */
public record PoolSample(double active, double idle, double pending, double max) {
}
