package dev.courier.loadtest.measure;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The share of the host's CPU time that its hypervisor gave to other virtual machines ("steal" in Linux's
 * {@code /proc/stat}). On a shared cloud machine it slows a run down without anything in the run changing: here the
 * same build, server and command, a steady 3,000 msg/s, had p99 send→delivered 182 ms while the hypervisor took
 * 20-36% of the CPU time, and 37.6 ms half an hour later with 1% taken (bench/results/2026-12-03-steal.md). The JVM does not report
 * it, so this reads the kernel's counters.
 *
 * <p>Not thread-safe: one ticker samples it.
 */
final class StolenCpu {

    /** Where the kernel's counters are; its first line sums all CPUs. */
    private static final Path PROC_STAT = Path.of("/proc/stat");
    /** On the {@code cpu} line: user nice system idle iowait irq softirq steal (guest time is inside user). */
    private static final int FIELDS = 8;
    private static final int STEAL = 7;

    private final Supplier<String> firstLine;
    private long[] last;

    /** {@code firstLine} gives {@code /proc/stat}'s first line, or null where there is none. */
    StolenCpu(Supplier<String> firstLine) {
        this.firstLine = firstLine;
        this.last = ticks(firstLine.get());
    }

    /** The real counters; where there are none (not Linux) every sample is unknown. */
    static StolenCpu ofHost() {
        return new StolenCpu(StolenCpu::readProcStat);
    }

    /** The stolen share of the CPU time since the previous sample (or since this was made), 0 to 1; -1 if unknown. */
    double sample() {
        long[] now = ticks(firstLine.get());
        long[] before = last;
        last = now;
        if (now == null || before == null) {
            return -1;
        }
        long total = 0;
        for (int i = 0; i < FIELDS; i++) {
            total += now[i] - before[i];
        }
        return total <= 0 ? -1 : (double) (now[STEAL] - before[STEAL]) / total;
    }

    /** The first {@link #FIELDS} counters of an aggregate {@code cpu} line; null if {@code line} is not one. */
    static long[] ticks(String line) {
        if (line == null) {
            return null;
        }
        String[] parts = line.trim().split("\\s+");
        if (parts.length < FIELDS + 1 || !parts[0].equals("cpu")) {
            return null;
        }
        long[] ticks = new long[FIELDS];
        try {
            for (int i = 0; i < FIELDS; i++) {
                ticks[i] = Long.parseLong(parts[i + 1]);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return ticks;
    }

    private static String readProcStat() {
        try (BufferedReader reader = Files.newBufferedReader(PROC_STAT)) {
            return reader.readLine();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
