package dev.courier.ops;

import dev.courier.platform.CpuClock;

/**
 * The share of the cores this process may use that it did use lately, 0 to 1: the cores it kept busy since the
 * previous reading at least {@link #MIN_INTERVAL_NANOS} ago, over the cores it has. Read lazily, by whoever asks (a
 * scrape, an autoscaler's probe), so it needs no thread of its own; readings closer together than the interval return
 * the last figure, so that two readers a millisecond apart do not turn a single busy millisecond into a saturated node.
 *
 * <p>The JVM counts the cores a container's CPU limit allows ({@code availableProcessors} follows cgroup quotas), so
 * a node limited to two cores on a larger host reads 1 when it uses two.
 */
public final class ProcessCpuShare {

    static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    private final CpuClock clock;
    private final int cores;
    private CpuClock.Reading last;
    private double share;

    ProcessCpuShare(CpuClock clock, int cores) {
        this.clock = clock;
        this.cores = Math.max(1, cores);
        this.last = clock.read();
    }

    /** This JVM's share, or 0 where the platform does not tell a process's CPU time. */
    public static ProcessCpuShare ofThisProcess() {
        return new ProcessCpuShare(CpuClock.ofThisProcess(), Runtime.getRuntime().availableProcessors());
    }

    public synchronized double share() {
        CpuClock.Reading now = clock.read();
        if (now.wallNanos() - last.wallNanos() >= MIN_INTERVAL_NANOS) {
            share = Math.clamp(now.coresSince(last) / cores, 0.0, 1.0); // an unknown -1 reads 0
            last = now;
        }
        return share;
    }
}
