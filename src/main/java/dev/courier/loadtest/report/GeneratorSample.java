package dev.courier.loadtest.report;

/**
 * One second of the load generator: how late it was and the CPU it and its host used.
 *
 * @param lateP99Ms                p99 of how long after its intended time the pacer handed a send off
 * @param sentToDeliveredP99Ms     p99 of send→delivered counted from when each message was actually sent
 * @param cores                    CPU the generator's process used (1.0 is one core), -1 if unknown
 * @param host                     the host's CPU load, 0 to 1, -1 if unknown
 * @param stolen                   the share of the host's CPU time its hypervisor gave to other machines, 0 to
 *                                 1, -1 if unknown
 */
public record GeneratorSample(double lateP99Ms, double sentToDeliveredP99Ms, double cores, double host, double stolen) {
}
