package dev.courier.messages;

import java.time.Duration;

/**
 * Tells a burst from a standing queue, the way CoDel does (Nichols and Jacobson, "Controlling Queue Delay", 2012):
 * what matters is not how long the queue is but how long sends waited in it, and not the worst wait but the best one
 * over an interval. A burst leaves a queue that drains within the interval, so some send in it waits little; when even
 * the luckiest send of a whole interval waited longer than the target, the writers are behind and the queue will only
 * grow: new sends are better refused now, in microseconds, than answered after a wait that misses their objective.
 * The queue stops standing as soon as a send is taken within the target.
 *
 * <p>The message writer samples waits when a writer takes a batch and when a send arrives; see there which send's
 * wait it takes.
 *
 * <p>Not thread-safe: the message writer calls it under its lock.
 */
final class StandingQueue {

    private static final long NOT_OVER = Long.MIN_VALUE;

    private final long targetNanos;
    private final long intervalNanos;
    /** When the first of an unbroken run of sends taken later than the target was taken. */
    private long overSince = NOT_OVER;
    private boolean standing;

    StandingQueue(Duration target, Duration interval) {
        this.targetNanos = target.toNanos();
        this.intervalNanos = interval.toNanos();
    }

    /** At {@code nowNanos}, a send that is taken or could be taken had waited {@code waitNanos}. */
    void waited(long waitNanos, long nowNanos) {
        if (waitNanos <= targetNanos) {
            overSince = NOT_OVER;
            standing = false;
        } else if (overSince == NOT_OVER) {
            overSince = nowNanos;
        } else if (nowNanos - overSince >= intervalNanos) {
            standing = true;
        }
    }

    /** The writers went idle: whatever queue there was has drained. */
    void drained() {
        overSince = NOT_OVER;
        standing = false;
    }

    /** True while every send taken for a whole interval had waited longer than the target. */
    boolean standing() {
        return standing;
    }
}
