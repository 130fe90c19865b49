package dev.courier.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident set size, as the kernel counts it ({@code VmRSS} in {@code /proc/self/status}): the memory
 * the process really holds, heap, metaspace, thread stacks, direct buffers and the JVM's own included. The JVM's
 * gauges see only the parts it manages, so a leak of native memory shows here and nowhere else. Linux only: where
 * the file is missing the gauge is not registered.
 */
public final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ResidentMemory() {
    }

    /** Registers {@code process_resident_memory_bytes} when this platform tells it. */
    public static void bindTo(MeterRegistry meters) {
        if (bytes(STATUS) < 0) {
            return;
        }
        Gauge.builder(MetricNames.PROCESS_RESIDENT_MEMORY, () -> bytes(STATUS)).baseUnit(BaseUnits.BYTES)
                .description("Resident set size of the process (VmRSS)").register(meters);
    }

    /** {@code VmRSS} of a {@code /proc/<pid>/status} file in bytes, or -1 when it cannot be read. */
    static double bytes(Path status) {
        try {
            return vmRssBytes(Files.readString(status));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The {@code VmRSS:   123456 kB} line of a status text in bytes, or -1 when there is none. */
    static double vmRssBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024.0;
            }
        }
        return -1;
    }
}
