package dev.courier.loadtest.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.report.GeneratorSample;
import dev.courier.loadtest.report.LoadReport;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeneratorLoadTest {

    private static final long MS = 1_000_000;

    /** A host whose counters say that its hypervisor takes {@code stolenPerSecond} of 100 ticks every second. */
    private static GeneratorLoad onAHostLosing(int... stolenPerSecond) {
        long[] steal = {0};
        long[] total = {0};
        int[] second = {-1};
        StolenCpu stolen = new StolenCpu(() -> {
            if (second[0] >= 0) {
                steal[0] += stolenPerSecond[Math.min(second[0], stolenPerSecond.length - 1)];
                total[0] += 100;
            }
            second[0]++;
            long busy = total[0] - steal[0];
            return "cpu  " + busy / 2 + " 0 " + busy / 2 + " 0 0 0 0 " + steal[0] + " 0 0";
        });
        return new GeneratorLoad(ProcessCpu.start(stolen));
    }

    private static GeneratorLoad onAQuietHost() {
        return onAHostLosing(0);
    }

    @Test
    void sendsHandedOffOnTimeDoNotCountAsFallingBehind() {
        GeneratorLoad g = onAQuietHost();
        for (int i = 0; i < 1_000; i++) {
            g.handedOff(i * MS, i * MS + 200_000); // 0.2 ms late: a parked thread's ordinary wake-up
        }
        g.closeInterval();
        LoadReport.Generator report = g.report(50);
        assertThat(report.fellBehind()).isFalse();
        assertThat(report.pacerLateness().p99()).isLessThan(GeneratorLoad.MIN_LATE_LIMIT_MS);
        assertThat(GeneratorWarnings.of(report, null)).isEmpty();
    }

    @Test
    void aPacerLateByATenthOfTheObjectiveFellBehindAndTheReportSaysSo() {
        GeneratorLoad g = onAQuietHost();
        for (int i = 0; i < 1_000; i++) {
            long late = i % 20 == 0 ? 30 * MS : 100_000; // one send in twenty starts 30 ms late
            g.handedOff(i * MS, i * MS + late);
        }
        g.delivered(0, 4 * MS);
        GeneratorSample second = g.closeInterval();
        assertThat(second.lateP99Ms()).isGreaterThan(25);
        assertThat(second.sentToDeliveredP99Ms()).isEqualTo(4.0);

        LoadReport.Generator report = g.report(50);
        assertThat(report.fellBehind()).isTrue();
        assertThat(report.pacerLateness().max()).isGreaterThan(25);
        assertThat(GeneratorWarnings.of(report, null)).singleElement().asString()
                .startsWith("the load generator fell behind its own schedule")
                .contains("counted from the actual sends, send→delivered p99 is 4.00 ms");
    }

    @Test
    void waitsForTheInFlightCapAreReportedAsTheServersNotTheGenerators() {
        GeneratorLoad g = onAQuietHost();
        g.handedOff(0, 0);
        g.heldByInFlightCap();
        g.heldByInFlightCap();
        g.closeInterval();
        LoadReport.Generator report = g.report(50);
        assertThat(report.inFlightCapWaits()).isEqualTo(2);
        assertThat(report.fellBehind()).isFalse();
        assertThat(GeneratorWarnings.of(report, null)).singleElement().asString()
                .contains("left " + LoadOptions.MAX_IN_FLIGHT + " sends unanswered at once 2 times");
    }

    @Test
    void aRampWhoseFirstMissedStepHadALateGeneratorWarnsThatTheLimitMayBeTheGenerators() {
        LoadReport.Generator onTime = onAQuietHost().report(50);
        LoadReport.Ramp ramp = new LoadReport.Ramp(1_000, 990, 20, List.of(
                new LoadReport.RampStep(1_000, 990, 20, 0, true, 0.3, 15, 0),
                new LoadReport.RampStep(2_000, 1_500, 400, 0, false, 120, 280, 0)));
        assertThat(GeneratorWarnings.of(onTime, ramp)).singleElement().asString()
                .startsWith("the ramp's limit may be the load generator's: at 2000 msg/s");

        LoadReport.Ramp serverBound = new LoadReport.Ramp(1_000, 990, 20, List.of(
                new LoadReport.RampStep(1_000, 990, 20, 0, true, 0.3, 15, 0),
                new LoadReport.RampStep(2_000, 1_500, 400, 0, false, 0.4, 399, 0)));
        assertThat(GeneratorWarnings.of(onTime, serverBound)).isEmpty();
    }

    @Test
    void aHostWhoseHypervisorTakesATenthOfItsCpuInTheMedianSecondIsReportedAsNoisy() {
        GeneratorLoad g = onAHostLosing(0, 12, 30, 10, 2);
        for (int i = 0; i < 5; i++) {
            g.handedOff(i * MS, i * MS);
            assertThat(g.closeInterval().stolen()).isEqualTo(new double[] {0, 0.12, 0.3, 0.1, 0.02}[i]);
        }
        LoadReport.Generator report = g.report(50);
        assertThat(report.hostStolenMedian()).isEqualTo(0.1);
        assertThat(report.hostStolenMax()).isEqualTo(0.3);
        assertThat(GeneratorWarnings.of(report, null)).singleElement().asString()
                .startsWith("the host's hypervisor gave 10.000% of its CPU time to other virtual machines in the "
                        + "median second (30.000% in the worst)");
    }

    @Test
    void aFewPerCentStolenNowAndThenIsNoWarning() {
        GeneratorLoad g = onAHostLosing(0, 4, 30, 0, 1);
        for (int i = 0; i < 5; i++) {
            g.closeInterval();
        }
        LoadReport.Generator report = g.report(50);
        assertThat(report.hostStolenMedian()).isEqualTo(0.01);
        assertThat(GeneratorWarnings.of(report, null)).isEmpty();
    }

    @Test
    void theGeneratorsOwnCpuShowsInItsSample() {
        ProcessCpu cpu = ProcessCpu.start();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long until = os.getProcessCpuTime() + 100 * MS;
        long deadline = System.nanoTime() + 10_000 * MS;
        long spin = 0;
        while (os.getProcessCpuTime() < until && System.nanoTime() < deadline) {
            spin += Long.numberOfTrailingZeros(spin + System.nanoTime());
        }
        ProcessCpu.Sample sample = cpu.sample();
        assertThat(sample.cores()).as("spun %d", spin).isGreaterThan(0);
        assertThat(sample.host()).isBetween(-1.0, 1.0);
    }
}
