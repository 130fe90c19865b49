package dev.courier.loadtest;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What a run does over time: its rate profile and the faults it switches on and off through the admin API. */
public enum Scenario {
    STEADY, RAMP, SPIKE, SOAK, LEAK, DB_OUTAGE, STORM;

    /** Multiplier of the base rate during a spike. */
    static final double SPIKE_FACTOR = 10;

    public RateProfile profile(LoadOptions o) {
        return switch (this) {
            case STEADY, SOAK, LEAK, DB_OUTAGE, STORM -> RateProfile.constant(o.rate());
            case SPIKE -> RateProfile.spike(o.rate(), SPIKE_FACTOR, faultStart(o.duration()), faultEnd(o.duration()));
            case RAMP -> RateProfile.steps(o.rate(), o.rampFactor(), o.rampStep());
        };
    }

    /**
     * The disturbance (fault or spike) covers the middle third of the run, and a storm's streams begin to open at its
     * start: before it a baseline, after it recovery.
     */
    public static Duration faultStart(Duration run) {
        return run.dividedBy(3);
    }

    public static Duration faultEnd(Duration run) {
        return run.multipliedBy(2).dividedBy(3);
    }

    public boolean disturbs() {
        return this == SPIKE || this == LEAK || this == DB_OUTAGE || this == STORM;
    }

    public boolean needsFaultInjection() {
        return this == LEAK || this == DB_OUTAGE;
    }

    public List<FaultChange> faults(LoadOptions o) {
        return switch (this) {
            case LEAK -> List.of(
                    new FaultChange(faultStart(o.duration()), Map.of("leakRate", o.leakRate())),
                    new FaultChange(faultEnd(o.duration()), Map.of("leakRate", 0.0)));
            case DB_OUTAGE -> List.of(
                    new FaultChange(faultStart(o.duration()), Map.of("databaseDown", true)),
                    new FaultChange(faultEnd(o.duration()), Map.of("databaseDown", false)));
            default -> List.of();
        };
    }

    /** One {@code PUT /v1/admin/faults}, due {@code at} after the run starts. */
    public record FaultChange(Duration at, Map<String, Object> faults) {
    }

    public String cliName() {
        return name().toLowerCase().replace('_', '-');
    }
}
