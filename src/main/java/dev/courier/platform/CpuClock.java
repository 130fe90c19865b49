package dev.courier.platform;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * This process's CPU time read beside the wall clock, so that two readings tell how many cores it kept busy between
 * them. The server's scaling signal and the load generator's report of its own load both need that figure; this is
 * the one place that reads the counters and does the arithmetic.
 */
public final class CpuClock {

    /** CPU time and wall time at one instant; a CPU time below 0 means the platform does not tell it. */
    public record Reading(long cpuNanos, long wallNanos) {

        /** Cores kept busy since {@code earlier} (1.0 is one core all the time), or -1 where that cannot be told. */
        public double coresSince(Reading earlier) {
            long wall = wallNanos - earlier.wallNanos;
            if (cpuNanos < 0 || earlier.cpuNanos < 0 || wall <= 0) {
                return -1;
            }
            return (double) (cpuNanos - earlier.cpuNanos) / wall;
        }
    }

    private final LongSupplier cpuNanos;
    private final LongSupplier wallNanos;

    public CpuClock(LongSupplier cpuNanos, LongSupplier wallNanos) {
        this.cpuNanos = cpuNanos;
        this.wallNanos = wallNanos;
    }

    /** This JVM's clock; its readings carry a CPU time of -1 where the platform does not tell a process's CPU time. */
    public static CpuClock ofThisProcess() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return new CpuClock(os::getProcessCpuTime, System::nanoTime);
        }
        return new CpuClock(() -> -1, System::nanoTime);
    }

    public Reading read() {
        return new Reading(cpuNanos.getAsLong(), wallNanos.getAsLong());
    }
}
