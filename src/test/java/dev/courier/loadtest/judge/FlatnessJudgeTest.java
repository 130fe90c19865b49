package dev.courier.loadtest.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.report.ResourceSample;
import dev.courier.loadtest.report.SoakReport;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * A soak's resources judged flat or not, on synthetic series of an hour sampled every 2 s: after the warm-up (minutes
 * 5 to 10) against the end (minutes 55 to 60), each figure on its own statistic and tolerance.
 */
class FlatnessJudgeTest {

    private static final double HOUR = 3600;
    private static final double MIB = 1024 * 1024;
    /** A server at rest: heap saw-tooth between 200 and 600 MiB, 1 GiB resident, 60 threads, 150 fds, a pool of 10. */
    private static final DoubleFunction<ResourceSample> STEADY = t -> sample(t, sawtooth(t, 200, 600), 1024, 60, 150,
            3, 7, 0, 0);
    private static final List<FlatnessJudge.Unsettled> DRILLS = List.of(
            new FlatnessJudge.Unsettled(600, 660), new FlatnessJudge.Unsettled(1200, 1260),
            new FlatnessJudge.Unsettled(1800, 1860), new FlatnessJudge.Unsettled(2400, 2460),
            new FlatnessJudge.Unsettled(3000, 3060));

    @Test
    void aServerWhoseResourcesStayFlatIsFlatAndEveryFigureIsJudged() {
        SoakReport.Flatness flatness = FlatnessJudge.judge(series(STEADY), HOUR, DRILLS);

        assertThat(flatness.flat()).isTrue();
        assertThat(flatness.figures()).hasSize(FlatnessJudge.Resource.values().length)
                .allMatch(f -> f.verdict().equals("flat"));
        assertThat(flatness.baselineFromSecond()).isEqualTo(300);
        assertThat(flatness.baselineToSecond()).isEqualTo(600);
        assertThat(flatness.endFromSecond()).isEqualTo(3300);
        assertThat(figure(flatness, "heap used").baseline()).as("the heap's floor, not its peaks").isEqualTo(200);
    }

    @Test
    void aHeapWhoseFloorKeepsRisingGrewThoughEachCollectionStillFreesMemory() {
        // the floor rises 100 MiB every 10 minutes: the garbage is collected, what survives it is not
        SoakReport.Flatness flatness = FlatnessJudge.judge(series(t -> sample(t,
                sawtooth(t, 200 + t / 6, 600 + t / 6), 1024, 60, 150, 3, 7, 0, 0)), HOUR, DRILLS);

        assertThat(flatness.flat()).isFalse();
        SoakReport.Figure heap = figure(flatness, "heap used");
        assertThat(heap.verdict()).isEqualTo("grew");
        assertThat(heap.end()).isGreaterThan(heap.baseline() + heap.tolerance());
        assertThat(flatness.figures()).filteredOn(SoakReport.Figure::failed).containsExactly(heap);
    }

    @Test
    void aHeapWhosePeaksVaryButWhoseFloorStaysIsFlat() {
        SoakReport.Flatness flatness = FlatnessJudge.judge(series(t -> sample(t,
                sawtooth(t, 200, t > 3000 ? 1500 : 600), 1024, 60, 150, 3, 7, 0, 0)), HOUR, DRILLS);

        assertThat(figure(flatness, "heap used").verdict()).isEqualTo("flat");
        assertThat(flatness.flat()).isTrue();
    }

    @Test
    void threadsAndFileDescriptorsThatPileUpGrewAndAreNamed() {
        // a thread and two sockets left behind by each drill
        SoakReport.Flatness flatness = FlatnessJudge.judge(series(t -> sample(t, sawtooth(t, 200, 600), 1024,
                60 + 10 * drillsBefore(t), 150 + 20 * drillsBefore(t), 3, 7, 0, 0)), HOUR, DRILLS);

        assertThat(flatness.flat()).isFalse();
        assertThat(flatness.figures()).filteredOn(SoakReport.Figure::failed).extracting(SoakReport.Figure::name)
                .containsExactly("live threads", "open file descriptors");
    }

    @Test
    void growthWithinTheToleranceIsStillFlat() {
        // 5 threads more and 10 MiB more resident: noise, not a leak
        SoakReport.Flatness flatness = FlatnessJudge.judge(series(t -> sample(t, sawtooth(t, 200, 600),
                1024 + (t > 3000 ? 10 : 0), 60 + (t > 3000 ? 5 : 0), 150, 3, 7, 0, 0)), HOUR, DRILLS);

        assertThat(flatness.flat()).isTrue();
    }

    @Test
    void connectionsLeakedAndNeverTakenBackFailTheRunThroughThePoolFigures() {
        SoakReport.Flatness flatness = FlatnessJudge.judge(series(t -> t > 3000
                ? sample(t, sawtooth(t, 200, 600), 1024, 60, 150, 9, 1, 4, 6)
                : STEADY.apply(t)), HOUR, DRILLS);

        assertThat(flatness.figures()).filteredOn(SoakReport.Figure::failed).extracting(SoakReport.Figure::name)
                .containsExactly("pool active connections", "pool idle connections", "pool pending requests",
                        "leaked connections not taken back");
        assertThat(figure(flatness, "pool idle connections").verdict()).isEqualTo("shrank");
    }

    @Test
    void whatADrillDoesToTheResourcesWhileItLastsIsLeftOut() {
        // the pool is exhausted and threads pile up during each drill and the minute after it, then all comes back
        SoakReport.Flatness flatness = FlatnessJudge.judge(series(t -> DRILLS.stream()
                .anyMatch(d -> t >= d.from() && t < d.to())
                ? sample(t, sawtooth(t, 900, 1200), 1200, 120, 300, 10, 0, 30, 10)
                : STEADY.apply(t)), 3100, DRILLS);

        assertThat(flatness.flat()).isTrue();
    }

    @Test
    void aGaugeTheServerDoesNotExportIsNotJudgedAndDoesNotFailTheRun() {
        SoakReport.Flatness flatness = FlatnessJudge.judge(series(t -> sample(t, sawtooth(t, 200, 600), -1, 60, 150,
                3, 7, 0, 0)), HOUR, DRILLS);

        assertThat(figure(flatness, "resident memory").verdict()).isEqualTo("not judged: the server does not export it");
        assertThat(flatness.flat()).isTrue();
    }

    @Test
    void aRunWithNoSamplesAtItsEndJudgesNothing() {
        List<ResourceSample> early = series(STEADY).stream().filter(s -> s.t() < 1000).toList();

        SoakReport.Flatness flatness = FlatnessJudge.judge(early, HOUR, DRILLS);

        assertThat(flatness.figures()).allMatch(f -> f.verdict().equals("not judged: no samples in a window"));
        assertThat(flatness.flat()).isTrue();
    }

    @Test
    void aShortRunComparesSixthsOfItself() {
        // a level heap: a collector's 30 s saw-tooth would not fit in windows of 10 s
        SoakReport.Flatness flatness = FlatnessJudge.judge(series(t -> sample(t, 300, 1024, 60, 150, 3, 7, 0, 0), 60),
                60, List.of());

        assertThat(flatness.baselineFromSecond()).isEqualTo(10);
        assertThat(flatness.baselineToSecond()).isEqualTo(20);
        assertThat(flatness.endFromSecond()).isEqualTo(50);
        assertThat(flatness.flat()).isTrue();
    }

    private static int drillsBefore(double t) {
        return (int) DRILLS.stream().filter(d -> d.from() <= t).count();
    }

    /** A collector's saw-tooth: from {@code low} up to {@code high} over 30 s, then collected back to {@code low}. */
    private static double sawtooth(double t, double low, double high) {
        return low + (high - low) * ((t % 30) / 30);
    }

    private static ResourceSample sample(double t, double heapMib, double residentMib, double threads, double fds,
                                         double active, double idle, double pending, double leaking) {
        return new ResourceSample(t, heapMib * MIB, residentMib < 0 ? -1 : residentMib * MIB, threads, fds, active,
                idle, pending, leaking);
    }

    private static List<ResourceSample> series(DoubleFunction<ResourceSample> at) {
        return series(at, HOUR);
    }

    private static List<ResourceSample> series(DoubleFunction<ResourceSample> at, double seconds) {
        List<ResourceSample> samples = new ArrayList<>();
        for (double t = 0; t <= seconds; t += 2) {
            samples.add(at.apply(t));
        }
        return samples;
    }

    private static SoakReport.Figure figure(SoakReport.Flatness flatness, String name) {
        return flatness.figures().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }
}
