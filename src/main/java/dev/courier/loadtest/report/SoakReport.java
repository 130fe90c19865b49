package dev.courier.loadtest.report;

import java.util.List;

/**
 * What a soak adds to its load report: each of its drills with its verdict, the server's resources sampled over the
 * run, and whether they stayed flat.
 *
 * @param drills    in the order they ran
 * @param resources a sample every few seconds
 */
public record SoakReport(double drillEverySeconds, double drillLengthSeconds, List<DrillVerdict> drills,
                         Flatness flatness, List<ResourceSample> resources) {

    public SoakReport {
        drills = List.copyOf(drills);
        resources = List.copyOf(resources);
    }

    public boolean drillsHeld() {
        return drills.stream().allMatch(DrillVerdict::held);
    }

    /**
     * Each resource's level at the end of the run against the same after the warm-up: the samples of two windows of
     * equal length, each without the drills and the settling time after them.
     *
     * @param flat    no judged figure grew beyond its tolerance
     * @param figures one per resource, judged or not
     */
    public record Flatness(double baselineFromSecond, double baselineToSecond, double endFromSecond,
                           double endToSecond, boolean flat, List<Figure> figures) {

        public Flatness {
            figures = List.copyOf(figures);
        }
    }

    /**
     * One resource over a soak.
     *
     * @param statistic how each window is summed up: {@code lowest} (the heap's floor, what is left after
     *                  collections), {@code median} or {@code highest}
     * @param worsened  how far it moved the wrong way from the baseline to the end (a drop for the idle
     *                  connections, a rise for everything else), in {@code unit}
     * @param tolerance how far it may move so without failing the run, in {@code unit}
     * @param verdict   {@code flat}, {@code grew} ({@code shrank} for the idle connections) or
     *                  {@code not judged: <why>}
     */
    public record Figure(String name, String unit, String statistic, double baseline, double end, double worsened,
                         double tolerance, String verdict) {

        public boolean failed() {
            return verdict.equals("grew") || verdict.equals("shrank");
        }
    }
}
