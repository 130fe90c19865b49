package dev.courier.ops;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * The share of the cores this process may use that it did use lately, 0 to 1: its CPU time over the wall time since
 * the previous reading at least {@link #MIN_INTERVAL_NANOS} ago, times the cores. Read lazily, by whoever asks (a
 * scrape, an autoscaler's probe), so it needs no thread of its own; readings closer together than the interval return
 * the last figure, so that two readers a millisecond apart do not turn a single busy millisecond into a saturated node.
 *
 * <p>The JVM counts the cores a container's CPU limit allows ({@code availableProcessors} follows cgroup quotas), so
 * a node limited to two cores on a larger host reads 1 when it uses two.
 */
public final class ProcessCpuShare {

    static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    private final LongSupplier cpuNanos;
    private final LongSupplier wallNanos;
    private final int cores;
    private long lastCpu;
    private long lastAt;
    private double share;

    ProcessCpuShare(LongSupplier cpuNanos, LongSupplier wallNanos, int cores) {
        this.cpuNanos = cpuNanos;
        this.wallNanos = wallNanos;
        this.cores = Math.max(1, cores);
        this.lastCpu = cpuNanos.getAsLong();
        this.lastAt = wallNanos.getAsLong();
    }

    /** This JVM's share, or 0 where the platform does not tell a process's CPU time. */
    public static ProcessCpuShare ofThisProcess() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return new ProcessCpuShare(() -> Math.max(0, os.getProcessCpuTime()), System::nanoTime,
                    Runtime.getRuntime().availableProcessors());
        }
        return new ProcessCpuShare(() -> 0, System::nanoTime, 1);
    }

    public synchronized double share() {
        long now = wallNanos.getAsLong();
        long elapsed = now - lastAt;
        if (elapsed >= MIN_INTERVAL_NANOS) {
            long cpu = cpuNanos.getAsLong();
            share = Math.clamp((double) (cpu - lastCpu) / ((double) elapsed * cores), 0.0, 1.0);
            lastCpu = cpu;
            lastAt = now;
        }
        return share;
    }
}
