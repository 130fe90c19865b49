package dev.courier.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeneratorLoadTest {

    private static final long MS = 1_000_000;

    @Test
    void sendsHandedOffOnTimeDoNotCountAsFallingBehind() {
        GeneratorLoad g = new GeneratorLoad();
        for (int i = 0; i < 1_000; i++) {
            g.handedOff(i * MS, i * MS + 200_000); // 0.2 ms late: a parked thread's ordinary wake-up
        }
        g.closeInterval();
        LoadReport.Generator report = g.report(50);
        assertThat(report.fellBehind()).isFalse();
        assertThat(report.pacerLateness().p99()).isLessThan(GeneratorLoad.MIN_LATE_LIMIT_MS);
        assertThat(LoadJudge.warnings(report, null)).isEmpty();
    }

    @Test
    void aPacerLateByATenthOfTheObjectiveFellBehindAndTheReportSaysSo() {
        GeneratorLoad g = new GeneratorLoad();
        for (int i = 0; i < 1_000; i++) {
            long late = i % 20 == 0 ? 30 * MS : 100_000; // one send in twenty starts 30 ms late
            g.handedOff(i * MS, i * MS + late);
        }
        g.delivered(0, 4 * MS);
        GeneratorLoad.GeneratorSample second = g.closeInterval();
        assertThat(second.lateP99Ms()).isGreaterThan(25);
        assertThat(second.sentToDeliveredP99Ms()).isEqualTo(4.0);

        LoadReport.Generator report = g.report(50);
        assertThat(report.fellBehind()).isTrue();
        assertThat(report.pacerLateness().max()).isGreaterThan(25);
        assertThat(LoadJudge.warnings(report, null)).singleElement().asString()
                .startsWith("the load generator fell behind its own schedule")
                .contains("counted from the actual sends, send→delivered p99 is 4.00 ms");
    }

    @Test
    void waitsForTheInFlightCapAreReportedAsTheServersNotTheGenerators() {
        GeneratorLoad g = new GeneratorLoad();
        g.handedOff(0, 0);
        g.heldByInFlightCap();
        g.heldByInFlightCap();
        g.closeInterval();
        LoadReport.Generator report = g.report(50);
        assertThat(report.inFlightCapWaits()).isEqualTo(2);
        assertThat(report.fellBehind()).isFalse();
        assertThat(LoadJudge.warnings(report, null)).singleElement().asString()
                .contains("left " + LoadRun.MAX_IN_FLIGHT + " sends unanswered at once 2 times");
    }

    @Test
    void aRampWhoseFirstMissedStepHadALateGeneratorWarnsThatTheLimitMayBeTheGenerators() {
        LoadReport.Generator onTime = new GeneratorLoad().report(50);
        LoadReport.Ramp ramp = new LoadReport.Ramp(1_000, 990, 20, List.of(
                new LoadReport.RampStep(1_000, 990, 20, 0, true, 0.3, 15),
                new LoadReport.RampStep(2_000, 1_500, 400, 0, false, 120, 280)));
        assertThat(LoadJudge.warnings(onTime, ramp)).singleElement().asString()
                .startsWith("the ramp's limit may be the load generator's: at 2000 msg/s");

        LoadReport.Ramp serverBound = new LoadReport.Ramp(1_000, 990, 20, List.of(
                new LoadReport.RampStep(1_000, 990, 20, 0, true, 0.3, 15),
                new LoadReport.RampStep(2_000, 1_500, 400, 0, false, 0.4, 399)));
        assertThat(LoadJudge.warnings(onTime, serverBound)).isEmpty();
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
