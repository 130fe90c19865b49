package dev.courier.loadtest.measure;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The CPU this process and the whole host used since the previous sample. A load generator on a shared box can
 * run out of CPU before the server does; these figures let a report say so instead of blaming the server.
 *
 * <p>Not thread-safe: one ticker samples it.
 */
final class ProcessCpu {

    /** @param cores  CPU time of this process per wall-clock second (1.0 is one core busy); -1 if unknown
     *  @param host   the host's recent CPU load, 0 to 1; -1 if unknown
     *  @param stolen the share of the host's CPU time its hypervisor gave to other machines, 0 to 1; -1 if unknown */
    record Sample(double cores, double host, double stolen) {
    }

    private final com.sun.management.OperatingSystemMXBean os;
    private final StolenCpu stolen;
    private long lastCpuNanos;
    private long lastWallNanos;

    private ProcessCpu(com.sun.management.OperatingSystemMXBean os, StolenCpu stolen) {
        this.os = os;
        this.stolen = stolen;
        if (os != null) {
            lastCpuNanos = os.getProcessCpuTime();
        }
        lastWallNanos = System.nanoTime();
    }

    static ProcessCpu start() {
        return start(StolenCpu.ofHost());
    }

    static ProcessCpu start(StolenCpu stolen) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return new ProcessCpu(os instanceof com.sun.management.OperatingSystemMXBean sun ? sun : null, stolen);
    }

    Sample sample() {
        long wall = System.nanoTime();
        double stolenShare = stolen.sample();
        if (os == null) {
            return new Sample(-1, -1, stolenShare);
        }
        long cpu = os.getProcessCpuTime();
        double cores = cpu < 0 || wall == lastWallNanos ? -1
                : (double) (cpu - lastCpuNanos) / (wall - lastWallNanos);
        double host = os.getCpuLoad();
        lastCpuNanos = cpu;
        lastWallNanos = wall;
        return new Sample(cores, host < 0 ? -1 : host, stolenShare);
    }
}
