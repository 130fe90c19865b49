package dev.courier.loadtest.generator;

import dev.courier.loadtest.report.Interval;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Asked by the ticker after every second whether the run has already shown what it is for, such as a ramp two steps
 * past the server's limit. The generator measures; what counts as enough is the judge's to say.
 */
@FunctionalInterface
public interface StopRule {

    /**
     * @param timeline           every second so far
     * @param ackPerSecond       send→ack of each second so far, in microseconds from the intended send time
     * @param deliveredPerSecond send→delivered of each second so far, likewise
     * @param deliveryMeasured   whether the run has streams to measure deliveries on
     */
    boolean stopNow(List<Interval> timeline, List<Histogram> ackPerSecond, List<Histogram> deliveredPerSecond,
                    boolean deliveryMeasured);
}
