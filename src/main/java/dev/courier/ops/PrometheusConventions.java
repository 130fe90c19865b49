package dev.courier.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

/**
 * Keeps Micrometer's stock binders within Prometheus's naming conventions, as {@code promtool check metrics}
 * enforces them: {@code system.cpu.count} would render as a gauge ending in {@code _count}, which Prometheus reserves
 * for histograms, and {@code process.cpu.time} carries the abbreviated unit {@code ns} ({@code process_cpu_usage}
 * reports the same load).
 */
public final class PrometheusConventions implements MeterFilter {

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus.available") : id;
    }
}
