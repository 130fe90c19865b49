package dev.courier.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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
        return this == LEAK || this == DB_OUTAGE || this == SOAK;
    }

    /**
     * A soak's drills: every {@code --drill-every}, a leak and a database outage in turn, each on for
     * {@code --drill-length}. A drill is planned only when the run goes on for at least as long again after it, so
     * that its recovery is seen. Empty for every other scenario.
     */
    public static List<SoakDrill> soakDrills(LoadOptions o) {
        if (o.scenario() != SOAK) {
            return List.of();
        }
        List<SoakDrill> drills = new ArrayList<>();
        LoadOptions.Soak soak = o.soak();
        for (int k = 1; ; k++) {
            Duration on = soak.drillEvery().multipliedBy(k);
            Duration off = on.plus(soak.drillLength());
            if (off.plus(soak.drillLength()).compareTo(o.duration()) > 0) {
                return List.copyOf(drills);
            }
            drills.add(new SoakDrill(k, k % 2 == 1 ? LEAK : DB_OUTAGE, on, off));
        }
    }

    /** The {@code number}th drill of a soak (from 1): {@code kind}'s fault on at {@code on}, off at {@code off}. */
    public record SoakDrill(int number, Scenario kind, Duration on, Duration off) {
    }

    public List<FaultChange> faults(LoadOptions o) {
        return switch (this) {
            case LEAK -> List.of(
                    new FaultChange(faultStart(o.duration()), Map.of("leakRate", o.leakRate())),
                    new FaultChange(faultEnd(o.duration()), Map.of("leakRate", 0.0)));
            case DB_OUTAGE -> List.of(
                    new FaultChange(faultStart(o.duration()), Map.of("databaseDown", true)),
                    new FaultChange(faultEnd(o.duration()), Map.of("databaseDown", false)));
            // each drill switches its scenario's fault on and back off, at its own times
            case SOAK -> soakDrills(o).stream().flatMap(d -> {
                List<FaultChange> onAndOff = d.kind().faults(o);
                return Stream.of(new FaultChange(d.on(), onAndOff.get(0).faults()),
                        new FaultChange(d.off(), onAndOff.get(1).faults()));
            }).toList();
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
