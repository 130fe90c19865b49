package dev.courier.loadtest.measure;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.report.Figures;
import dev.courier.loadtest.report.LoadReport;
import java.util.ArrayList;
import java.util.List;

/** What makes a run's figures less than they seem without changing its verdict: the generator and its host. */
public final class GeneratorWarnings {

    private GeneratorWarnings() {
    }

    /**
     * Latency counts from the intended send time, so a late generator only ever makes the server look slower: a
     * pass stays a pass, but a miss may be the generator's, and the report has to say so.
     */
    public static List<String> of(LoadReport.Generator g, LoadReport.Ramp ramp) {
        List<String> warnings = new ArrayList<>();
        if (g.inFlightCapWaits() > 0) {
            warnings.add(String.format("the server left %d sends unanswered at once %d times; the pacer waited for "
                    + "it, and that wait counts as latency", LoadOptions.MAX_IN_FLIGHT, g.inFlightCapWaits()));
        }
        if (g.fellBehind()) {
            warnings.add(String.format("the load generator fell behind its own schedule: sends left p99 %.2f ms "
                    + "(max %.2f ms) after their intended time, with its process at %s cores (median, of %d) and "
                    + "the host at %s at its busiest; the latencies include that delay (counted from the actual "
                    + "sends, send→delivered p99 is %.2f ms), so give the generator its own machine or a lower rate",
                    g.pacerLateness().p99(), g.pacerLateness().max(), Figures.knownOrNa(g.cpuCoresMedian()), g.cores(),
                    Figures.knownPercentOrNa(g.hostCpuMax()), g.sentToDelivered().p99()));
        }
        if (g.hostStolenMedian() >= GeneratorLoad.NOISY_HOST_STOLEN) {
            warnings.add(String.format("the host's hypervisor gave %s of its CPU time to other virtual machines in "
                    + "the median second (%s in the worst): this machine had less CPU than it has, so the figures "
                    + "are lower than on the same machine without its neighbours; compare runs made side by side",
                    Figures.percent(g.hostStolenMedian()), Figures.percent(g.hostStolenMax())));
        }
        if (ramp != null) {
            LoadReport.RampStep firstMissAfterBest = ramp.steps().stream()
                    .filter(s -> !s.passed() && s.targetRate() > ramp.highestPassingRate()).findFirst().orElse(null);
            if (firstMissAfterBest != null && firstMissAfterBest.generatorLateMs() > GeneratorLoad.MIN_LATE_LIMIT_MS
                    && firstMissAfterBest.generatorLateMs() > firstMissAfterBest.p99Ms() / 10) {
                warnings.add(String.format("the ramp's limit may be the load generator's: at %.0f msg/s, the first "
                        + "step above the answer, its sends left up to p99 %.2f ms late (p99 %.2f ms in all)",
                        firstMissAfterBest.targetRate(), firstMissAfterBest.generatorLateMs(),
                        firstMissAfterBest.p99Ms()));
            }
        }
        return warnings;
    }
}
