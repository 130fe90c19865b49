package dev.courier.loadtest.judge;

import dev.courier.loadtest.report.Figures;
import dev.courier.loadtest.report.ResourceSample;
import dev.courier.loadtest.report.SoakReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Whether a soak left the server as it found it: each resource's level over the run's last stretch against the same
 * just after the warm-up. A leak of memory, threads, sockets or connections shows as a level that moved one way
 * between the two and did not come back, however the drills shook it in between.
 *
 * <p>The warm-up and both windows are a sixth of the run each, at most {@link #MAX_WINDOW_SECONDS}: after an hour,
 * minutes 5 to 10 against minutes 55 to 60. Neither window counts the samples taken during a drill or within its own
 * length after it: the drills are judged on their own, and a pool refilling after an outage is not a trend.
 */
public final class FlatnessJudge {

    static final double MAX_WINDOW_SECONDS = 300;
    private static final double MIB = 1024 * 1024;

    /** How a window's samples are summed up. */
    enum Statistic {
        /** The heap's floor: its level after the collections of the window, where the garbage is not. */
        LOWEST,
        MEDIAN,
        HIGHEST
    }

    /**
     * The resources judged and their tolerances: a figure may worsen by {@code relative} of its baseline or by
     * {@code absolute}, whichever is larger, before it fails the run. The absolute part keeps small figures (a pool of
     * a few connections, a heap floor that one collection more or less moves) from failing on noise.
     *
     * @param shrinking whether it worsens by going down (idle connections) instead of up
     */
    enum Resource {
        HEAP("heap used", "MiB", MIB, ResourceSample::heapUsedBytes, Statistic.LOWEST, 0.20, 32, false),
        RESIDENT("resident memory", "MiB", MIB, ResourceSample::residentBytes, Statistic.MEDIAN, 0.10, 64, false),
        THREADS("live threads", "threads", 1, ResourceSample::liveThreads, Statistic.MEDIAN, 0.10, 8, false),
        OPEN_FILES("open file descriptors", "fds", 1, ResourceSample::openFiles, Statistic.MEDIAN, 0.10, 16, false),
        POOL_ACTIVE("pool active connections", "connections", 1, ResourceSample::poolActive, Statistic.MEDIAN, 0.50,
                2, false),
        POOL_IDLE("pool idle connections", "connections", 1, ResourceSample::poolIdle, Statistic.MEDIAN, 0.50, 2,
                true),
        POOL_PENDING("pool pending requests", "requests", 1, ResourceSample::poolPending, Statistic.MEDIAN, 0, 2,
                false),
        LEASES_LEAKING("leaked connections not taken back", "connections", 1, ResourceSample::leasesLeaking,
                Statistic.HIGHEST, 0, 0, false);

        final String label;
        final String unit;
        final double scale;
        final ToDoubleFunction<ResourceSample> value;
        final Statistic statistic;
        final double relative;
        final double absolute;
        final boolean shrinking;

        Resource(String label, String unit, double scale, ToDoubleFunction<ResourceSample> value, Statistic statistic,
                 double relative, double absolute, boolean shrinking) {
            this.label = label;
            this.unit = unit;
            this.scale = scale;
            this.value = value;
            this.statistic = statistic;
            this.relative = relative;
            this.absolute = absolute;
            this.shrinking = shrinking;
        }
    }

    /** A stretch of the run, in seconds since it started, that neither window counts: [from, to). */
    public record Unsettled(double from, double to) {
    }

    private FlatnessJudge() {
    }

    /**
     * @param samples    the resources over the run, in time order
     * @param runSeconds how long the run sent
     * @param unsettled  the drills, each with its settling time after it
     */
    public static SoakReport.Flatness judge(List<ResourceSample> samples, double runSeconds,
                                            List<Unsettled> unsettled) {
        double window = Math.min(runSeconds / 6, MAX_WINDOW_SECONDS);
        double baselineFrom = window;
        double baselineTo = 2 * window;
        double endFrom = runSeconds - window;
        List<ResourceSample> baseline = within(samples, baselineFrom, baselineTo, unsettled);
        List<ResourceSample> end = within(samples, endFrom, runSeconds, unsettled);
        List<SoakReport.Figure> figures = new ArrayList<>();
        for (Resource r : Resource.values()) {
            figures.add(figure(r, baseline, end));
        }
        boolean flat = figures.stream().noneMatch(SoakReport.Figure::failed);
        return new SoakReport.Flatness(Figures.round(baselineFrom), Figures.round(baselineTo), Figures.round(endFrom),
                Figures.round(runSeconds), flat, figures);
    }

    static SoakReport.Figure figure(Resource r, List<ResourceSample> baseline, List<ResourceSample> end) {
        double[] before = values(r, baseline);
        double[] after = values(r, end);
        String statistic = r.statistic.name().toLowerCase(Locale.ROOT);
        if (before.length == 0 || after.length == 0) {
            String why = baseline.isEmpty() || end.isEmpty() ? "no samples in a window" : "the server does not export it";
            return new SoakReport.Figure(r.label, r.unit, statistic, -1, -1, 0, 0, "not judged: " + why);
        }
        double from = summarize(r.statistic, before) / r.scale;
        double to = summarize(r.statistic, after) / r.scale;
        double worsened = r.shrinking ? from - to : to - from;
        double tolerance = Math.max(r.relative * from, r.absolute);
        String verdict = worsened <= tolerance ? "flat" : r.shrinking ? "shrank" : "grew";
        return new SoakReport.Figure(r.label, r.unit, statistic, Figures.round(from), Figures.round(to),
                Figures.round(worsened), Figures.round(tolerance), verdict);
    }

    private static List<ResourceSample> within(List<ResourceSample> samples, double from, double to,
                                               List<Unsettled> unsettled) {
        return samples.stream()
                .filter(s -> s.t() >= from && s.t() < to)
                .filter(s -> unsettled.stream().noneMatch(u -> s.t() >= u.from() && s.t() < u.to()))
                .toList();
    }

    /** The resource's values in the samples that have it (a missing gauge is -1). */
    private static double[] values(Resource r, List<ResourceSample> samples) {
        return samples.stream().mapToDouble(r.value).filter(v -> v >= 0).toArray();
    }

    private static double summarize(Statistic statistic, double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return switch (statistic) {
            case LOWEST -> sorted[0];
            case HIGHEST -> sorted[sorted.length - 1];
            case MEDIAN -> sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        };
    }
}
