package dev.courier.loadtest.generator;

import dev.courier.loadtest.measure.ErrorTally;
import dev.courier.loadtest.measure.GeneratorLoad;
import dev.courier.loadtest.measure.LatencyTracker;
import dev.courier.loadtest.measure.RefusalTracker;
import dev.courier.loadtest.report.Interval;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import dev.courier.loadtest.report.PoolSample;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.HdrHistogram.Histogram;

/**
 * What a run measures of its sends, second by second and in total. The pacer, the senders and the frame intake
 * record into it from many threads; the ticker alone closes each second into an {@link Interval}.
 *
 * <p>A send's latency goes into two trackers (from the intended time and from the actual send). Recorders share
 * {@link #seconds}' read side and the ticker takes its write side, so a sample never lands in one tracker's second
 * and the next second of the other: both views of the run count the same sends.
 */
final class RunFigures {

    /** How many of the first sends make the run's opening: a cold server shows itself there, and a warm one hides it. */
    static final int OPENING_SENDS = 100;

    private final ReadWriteLock seconds = new ReentrantReadWriteLock();

    private final LatencyTracker ackLatency = new LatencyTracker();
    private final LatencyTracker deliveredLatency = new LatencyTracker();
    private final LatencyTracker openingAckLatency = new LatencyTracker();
    private final LatencyTracker openingDeliveredLatency = new LatencyTracker();
    /** The intended time of the opening's last send, once it was made; sends intended later are not the opening. */
    private volatile long openingEndNanos = Long.MAX_VALUE;
    private final ErrorTally errors = new ErrorTally();
    private final RefusalTracker refusals = new RefusalTracker();
    private final GeneratorLoad generator;
    private final AtomicLong attempted = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final LongAdder sentThisSecond = new LongAdder();
    private final LongAdder ackedThisSecond = new LongAdder();
    private final LongAdder failedThisSecond = new LongAdder();
    private final List<Interval> timeline = new CopyOnWriteArrayList<>();
    private final List<Histogram> ackPerSecond = new CopyOnWriteArrayList<>();
    private final List<Histogram> deliveredPerSecond = new CopyOnWriteArrayList<>();

    /** @param generator made when the run is: its first CPU sample covers the run's setup too */
    RunFigures(GeneratorLoad generator) {
        this.generator = generator;
    }

    /** The pacer handed off the send intended for {@code intendedNanos} at {@code nowNanos}. */
    void handedOff(long intendedNanos, long nowNanos) {
        generator.handedOff(intendedNanos, nowNanos);
    }

    void heldByInFlightCap() {
        generator.heldByInFlightCap();
    }

    /** Counts a send intended for {@code intendedNanos} going out; returns its number, from 0. One pacer calls it. */
    long sent(long intendedNanos) {
        long n = attempted.getAndIncrement();
        sentThisSecond.increment();
        if (n == OPENING_SENDS - 1) {
            openingEndNanos = intendedNanos;
        }
        return n;
    }

    private boolean inOpening(long intendedNanos) {
        return intendedNanos <= openingEndNanos;
    }

    /** The send intended at {@code intendedNanos} and sent at {@code sentNanos} was acked at {@code nowNanos}. */
    void acked(long intendedNanos, long sentNanos, long nowNanos) {
        seconds.readLock().lock();
        try {
            ackLatency.record(intendedNanos, nowNanos);
            if (inOpening(intendedNanos)) {
                openingAckLatency.record(intendedNanos, nowNanos);
            }
            generator.acked(sentNanos, nowNanos);
            acked.incrementAndGet();
            ackedThisSecond.increment();
        } finally {
            seconds.readLock().unlock();
        }
    }

    /** The send intended at {@code intendedNanos} and sent at {@code sentNanos} failed at {@code nowNanos}. */
    void failed(long intendedNanos, long sentNanos, long nowNanos, Throwable failure) {
        if (failure instanceof SendFailure f && f.refusal()) {
            refusals.refused(intendedNanos, sentNanos, nowNanos, f.retryAfterGiven());
        }
        errors.count(failure instanceof SendFailure f ? f.getMessage() : "stream error");
        failedThisSecond.increment();
    }

    /** Another member's stream received at {@code receivedNanos} a message intended and sent at these times. */
    void delivered(long intendedNanos, long sentNanos, long receivedNanos) {
        seconds.readLock().lock();
        try {
            deliveredLatency.record(intendedNanos, receivedNanos);
            if (inOpening(intendedNanos)) {
                openingDeliveredLatency.record(intendedNanos, receivedNanos);
            }
            generator.delivered(sentNanos, receivedNanos);
        } finally {
            seconds.readLock().unlock();
        }
    }

    /**
     * Ends the current second: its counts and latencies become the interval ending at {@code t} seconds, and the
     * latencies are added to the run's totals. Called by the ticker only.
     */
    Interval closeSecond(long t, double targetRate, PoolSample pool) {
        Interval interval;
        seconds.writeLock().lock();
        try {
            Histogram ack = ackLatency.closeInterval();
            Histogram delivered = deliveredLatency.closeInterval();
            openingAckLatency.closeInterval();
            openingDeliveredLatency.closeInterval();
            LatencySummary refused = LatencySummary.of(refusals.closeInterval());
            ackPerSecond.add(ack);
            deliveredPerSecond.add(delivered);
            interval = new Interval(t, targetRate, sentThisSecond.sumThenReset(), ackedThisSecond.sumThenReset(),
                    failedThisSecond.sumThenReset(), LatencySummary.of(ack), LatencySummary.of(delivered), refused,
                    pool, generator.closeInterval());
        } finally {
            seconds.writeLock().unlock();
        }
        timeline.add(interval);
        return interval;
    }

    long attempted() {
        return attempted.get();
    }

    long acked() {
        return acked.get();
    }

    long failed() {
        return errors.total();
    }

    /** Failed sends by kind, in the order of their names. */
    Map<String, Long> errorsByKind() {
        return errors.snapshot();
    }

    /** Read-only views, appended to by the ticker; copy them to keep them. */
    List<Interval> timeline() {
        return Collections.unmodifiableList(timeline);
    }

    List<Histogram> ackPerSecond() {
        return Collections.unmodifiableList(ackPerSecond);
    }

    List<Histogram> deliveredPerSecond() {
        return Collections.unmodifiableList(deliveredPerSecond);
    }

    /** The acknowledged sends of the closed seconds. */
    LatencySummary sendToAck() {
        return LatencySummary.of(ackLatency.total());
    }

    /** The deliveries of the closed seconds. */
    LatencySummary sendToDelivered() {
        return LatencySummary.of(deliveredLatency.total());
    }

    /** The first {@value #OPENING_SENDS} sends' send→ack and send→delivered, of the closed seconds. */
    LoadReport.Opening opening() {
        return new LoadReport.Opening(Math.min(attempted.get(), OPENING_SENDS),
                LatencySummary.of(openingAckLatency.total()), LatencySummary.of(openingDeliveredLatency.total()));
    }

    LoadReport.Refusals refusals(double activeSeconds) {
        return refusals.report(activeSeconds);
    }

    GeneratorLoad generator() {
        return generator;
    }
}
