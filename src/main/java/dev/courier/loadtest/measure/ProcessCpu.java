package dev.courier.loadtest.measure;

import dev.courier.platform.CpuClock;
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

    /** Where the host's load is read; null where the platform does not tell it. */
    private final com.sun.management.OperatingSystemMXBean os;
    private final CpuClock clock = CpuClock.ofThisProcess();
    private final StolenCpu stolen;
    private CpuClock.Reading last = clock.read();

    private ProcessCpu(com.sun.management.OperatingSystemMXBean os, StolenCpu stolen) {
        this.os = os;
        this.stolen = stolen;
    }

    static ProcessCpu start() {
        return start(StolenCpu.ofHost());
    }

    static ProcessCpu start(StolenCpu stolen) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return new ProcessCpu(os instanceof com.sun.management.OperatingSystemMXBean sun ? sun : null, stolen);
    }

    Sample sample() {
        CpuClock.Reading now = clock.read();
        double cores = now.coresSince(last);
        last = now;
        double host = os == null ? -1 : os.getCpuLoad();
        return new Sample(cores, host < 0 ? -1 : host, stolen.sample());
    }
}
