package dev.courier.loadtest;

import java.time.Duration;

/**
 * The target arrival rate (messages per second) at each moment of a run. The rate is a property of the plan,
 * never of the server's answers: that is what makes the load an open model.
 */
@FunctionalInterface
public interface RateProfile {

    /** The lowest rate a profile may ask for; keeps the gap between two arrivals finite. */
    double MIN_RATE = 0.1;

    double ratePerSecond(Duration elapsed);

    static RateProfile constant(double rate) {
        return elapsed -> rate;
    }

    /** {@code base}, then {@code base x factor} from {@code from} until {@code until}, then {@code base} again. */
    static RateProfile spike(double base, double factor, Duration from, Duration until) {
        return elapsed -> elapsed.compareTo(from) >= 0 && elapsed.compareTo(until) < 0 ? base * factor : base;
    }

    /** Steps of {@code stepLength} each, starting at {@code start} and multiplying by {@code factor} per step. */
    static RateProfile steps(double start, double factor, Duration stepLength) {
        return elapsed -> start * Math.pow(factor, stepIndex(elapsed, stepLength));
    }

    static int stepIndex(Duration elapsed, Duration stepLength) {
        return (int) (elapsed.toNanos() / stepLength.toNanos());
    }
}
