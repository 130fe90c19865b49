package dev.courier.loadtest.measure;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.report.GeneratorSample;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * Whether the load generator itself kept to its schedule. Latency counts from each message's intended send time,
 * so a generator that starts its sends late (no CPU left on a shared box, a long GC) adds its own delay to the
 * server's figures. This records how late the pacer handed each send off, how often the in-flight cap made it
 * wait for the server, and the CPU the generator and the host used, so that a report can tell the two apart.
 */
public final class GeneratorLoad {

    /** Pacer lateness below this never counts as falling behind: a parked thread wakes that late on any box. */
    public static final double MIN_LATE_LIMIT_MS = 1.0;
    /**
     * A host whose hypervisor takes this share of its CPU time in the median second has noisy neighbours: a per cent
     * or two comes and goes on any cloud machine; here three ramps at 7-12% ended at 2,800-5,000 msg/s, and the
     * next three, at about 1%, at 4,900-7,800 (bench/results/2026-12-03-steal.md).
     */
    public static final double NOISY_HOST_STOLEN = 0.05;

    private final LatencyTracker lateness = new LatencyTracker();
    private final LatencyTracker deliveredFromSent = new LatencyTracker();
    private final LatencyTracker ackedFromSent = new LatencyTracker();
    private final LongAdder capWaits = new LongAdder();
    private final ProcessCpu cpu;
    private final List<GeneratorSample> perSecond = new CopyOnWriteArrayList<>();
    private final List<Histogram> sentToDeliveredPerSecond = new CopyOnWriteArrayList<>();

    public GeneratorLoad() {
        this(ProcessCpu.start());
    }

    GeneratorLoad(ProcessCpu cpu) {
        this.cpu = cpu;
    }

    /** The pacer handed off the send intended for {@code intendedNanos} at {@code nowNanos}. */
    public void handedOff(long intendedNanos, long nowNanos) {
        lateness.record(intendedNanos, nowNanos);
    }

    /** A message the generator sent at {@code sentNanos} reached another member's stream at {@code receivedNanos}. */
    public void delivered(long sentNanos, long receivedNanos) {
        deliveredFromSent.record(sentNanos, receivedNanos);
    }

    /** A send the generator sent at {@code sentNanos} was acknowledged at {@code ackedNanos}. */
    public void acked(long sentNanos, long ackedNanos) {
        ackedFromSent.record(sentNanos, ackedNanos);
    }

    /** The pacer found {@link LoadOptions#MAX_IN_FLIGHT} sends unanswered and had to wait for the server. */
    public void heldByInFlightCap() {
        capWaits.increment();
    }

    /** Called once a second by the ticker. */
    public GeneratorSample closeInterval() {
        Histogram late = lateness.closeInterval();
        Histogram fromSent = deliveredFromSent.closeInterval();
        ackedFromSent.closeInterval();
        sentToDeliveredPerSecond.add(fromSent);
        ProcessCpu.Sample s = cpu.sample();
        GeneratorSample sample = new GeneratorSample(LatencySummary.of(late).p99(), LatencySummary.of(fromSent).p99(),
                round(s.cores()), round(s.host()), round(s.stolen()));
        perSecond.add(sample);
        return sample;
    }

    /** Per second of the run, send→delivered in microseconds counted from the actual sends. */
    public List<Histogram> sentToDeliveredPerSecond() {
        return List.copyOf(sentToDeliveredPerSecond);
    }

    /** The pacer lateness above which the generator's own delay is a noticeable share of the objective. */
    public static double lateLimitMs(double sloP99Ms) {
        return Math.max(MIN_LATE_LIMIT_MS, sloP99Ms / 10);
    }

    public LoadReport.Generator report(double sloP99Ms) {
        LatencySummary late = LatencySummary.of(lateness.total());
        double[] cores = known(GeneratorSample::cores);
        double[] host = known(GeneratorSample::host);
        double[] stolen = known(GeneratorSample::stolen);
        return new LoadReport.Generator(late, LatencySummary.of(deliveredFromSent.total()),
                LatencySummary.of(ackedFromSent.total()), capWaits.sum(),
                median(cores), max(cores), max(host), median(stolen), max(stolen),
                Runtime.getRuntime().availableProcessors(), late.p99() > lateLimitMs(sloP99Ms));
    }

    /** One figure of every second that knew it (unknown is -1), in ascending order. */
    private double[] known(ToDoubleFunction<GeneratorSample> figure) {
        return perSecond.stream().mapToDouble(figure).filter(v -> v >= 0).sorted().toArray();
    }

    private static double median(double[] sorted) {
        return sorted.length == 0 ? -1 : sorted[sorted.length / 2];
    }

    private static double max(double[] sorted) {
        return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
    }

    private static double round(double v) {
        return v < 0 ? -1 : Math.round(v * 100) / 100.0;
    }
}
