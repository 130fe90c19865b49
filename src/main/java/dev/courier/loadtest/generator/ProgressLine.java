package dev.courier.loadtest.generator;

import dev.courier.loadtest.measure.GeneratorLoad;
import dev.courier.loadtest.report.GeneratorSample;
import dev.courier.loadtest.report.Interval;
import dev.courier.loadtest.report.LatencySummary;
import java.io.PrintStream;

/** The line a run prints every second, and the generator's part of it, shown only when worth a look. */
final class ProgressLine {

    private ProgressLine() {
    }

    /** @param runningLost deliveries overdue so far; ignored when delivery is not measured */
    static void print(PrintStream out, Interval interval, long errors, boolean deliveryMeasured, long runningLost,
                      double sloP99Ms) {
        LatencySummary refused = interval.sendToRefusal();
        out.printf("t=%3ds target=%7.1f/s sent=%6d acked=%6d errors=%4d p99(ack)=%8.2fms p99(delivered)=%s lost=%s"
                + "%s%s%s%n",
                interval.t(), interval.targetRate(), interval.sent(), interval.acked(), errors,
                interval.sendToAck().p99(),
                deliveryMeasured ? String.format("%8.2fms", interval.sendToDelivered().p99()) : "     n/a",
                deliveryMeasured ? String.valueOf(runningLost) : "n/a",
                refused.count() == 0 ? "" : String.format(" refused=%d p99(refused)=%.2fms", refused.count(),
                        refused.p99()),
                interval.pool() == null || interval.pool().active() < 0 ? ""
                        : String.format(" pool=%.0f/%.0f pending=%.0f", interval.pool().active(), interval.pool().max(),
                        interval.pool().pending()),
                generator(interval.generator(), sloP99Ms));
    }

    /** Shown only when worth a look, so that a progress line stays readable. */
    private static String generator(GeneratorSample g, double sloP99Ms) {
        boolean late = g.lateP99Ms() > GeneratorLoad.lateLimitMs(sloP99Ms);
        boolean busy = g.host() >= 0.9;
        boolean noisyHost = g.stolen() >= GeneratorLoad.NOISY_HOST_STOLEN;
        if (!late && !busy && !noisyHost) {
            return "";
        }
        return String.format(" generator: late p99=%.2fms cpu=%.2f host=%s%s%s", g.lateP99Ms(), g.cores(),
                g.host() < 0 ? "n/a" : String.format("%.0f%%", g.host() * 100),
                noisyHost ? String.format(" stolen=%.0f%%", g.stolen() * 100) : "", late ? " BEHIND" : "");
    }
}
