package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.RateProfile;
import dev.courier.loadtest.integrity.IntegrityLedger;
import dev.courier.loadtest.report.Interval;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Once a second: closes the second's figures, samples the pool, switches due faults, times out socket sends left
 * unanswered, prints the progress line, and asks the stop rule whether the run has seen enough.
 */
final class Ticker {

    /** A delivery not seen this long after its ack counts towards the progress line's running "lost". */
    static final Duration DELIVERY_GRACE = Duration.ofSeconds(5);

    private final LoadOptions o;
    private final RateProfile profile;
    private final RunClock clock;
    private final RunFigures figures;
    private final PoolSampler pool;
    private final FaultSwitch faults;
    private final PendingAcks socketAcks;
    private final IntegrityLedger ledger;
    private final boolean deliveryMeasured;
    private final StopRule stopRule;
    private final PrintStream out;
    private long runningLost;

    Ticker(LoadOptions o, RunClock clock, RunFigures figures, PoolSampler pool, FaultSwitch faults,
           PendingAcks socketAcks, IntegrityLedger ledger, boolean deliveryMeasured, StopRule stopRule,
           PrintStream out) {
        this.o = o;
        this.profile = o.scenario().profile(o);
        this.clock = clock;
        this.figures = figures;
        this.pool = pool;
        this.faults = faults;
        this.socketAcks = socketAcks;
        this.ledger = ledger;
        this.deliveryMeasured = deliveryMeasured;
        this.stopRule = stopRule;
        this.out = out;
    }

    /** Called by one thread at a time: the ticker's, then the run's for the last second. */
    void tick() {
        long now = System.nanoTime();
        long t = Math.round(clock.secondsAt(now));
        Duration intervalStart = Duration.ofNanos(Math.max(0, now - clock.startNanos() - 1_000_000_000L));
        double target = clock.stopRequested() || intervalStart.compareTo(o.duration()) >= 0 ? 0
                : profile.ratePerSecond(intervalStart);
        Interval interval = figures.closeSecond(t, target, pool.last());
        pool.sampleInBackground();
        faults.switchDue(clock.elapsedAt(now));
        socketAcks.expire(now - LoadRun.REQUEST_TIMEOUT.toNanos());
        if (deliveryMeasured) {
            runningLost += ledger.newlyOverdue(now - DELIVERY_GRACE.toNanos());
        }
        ProgressLine.print(out, interval, figures.failed(), deliveryMeasured, runningLost, o.sloP99Millis());
        if (stopRule.stopNow(figures.timeline(), figures.ackPerSecond(), figures.deliveredPerSecond(),
                deliveryMeasured)) {
            clock.requestStop();
        }
    }
}
