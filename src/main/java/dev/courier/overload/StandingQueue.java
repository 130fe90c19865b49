package dev.courier.overload;

import java.time.Duration;

/**
 * Tells a burst from a standing queue, the way CoDel does (Nichols and Jacobson, "Controlling Queue Delay", 2012):
 * what matters is not how long the queue is but how long its work waited, and not the worst wait but the best one
 * over an interval. A burst leaves a queue that drains within the interval, so some of its work waits little; when
 * even the luckiest of a whole interval waited longer than the target, whoever serves the queue is behind and the
 * queue will only grow: new work is better refused now, in microseconds, than answered after a wait that misses its
 * objective. The queue stops standing as soon as some work is served within the target.
 *
 * <p>Its user says whose wait it samples: the message writers' queue ({@code messages.MessageWriter}).
 *
 * <p>Not thread-safe: callers sample and ask under a lock of their own or from one thread.
 */
public final class StandingQueue {

    /**
     * How long work may wait: a fifth of the 100 ms within which accepted work should be answered under overload,
     * leaving the rest to the work itself, the fan-out and the network. A writer's linger and one large statement ahead
     * of a send fit in it.
     */
    public static final Duration TARGET = Duration.ofMillis(20);
    /** How long work must have waited longer than the target before new work is refused: CoDel's own interval. */
    public static final Duration INTERVAL = Duration.ofMillis(100);

    private static final long NOT_OVER = Long.MIN_VALUE;

    private final long targetNanos;
    private final long intervalNanos;
    /** When the first of an unbroken run of sends taken later than the target was taken. */
    private long overSince = NOT_OVER;
    private boolean standing;

    public StandingQueue(Duration target, Duration interval) {
        this.targetNanos = target.toNanos();
        this.intervalNanos = interval.toNanos();
    }

    /** At {@code nowNanos}, a send that is taken or could be taken had waited {@code waitNanos}. */
    public void waited(long waitNanos, long nowNanos) {
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
    public void drained() {
        overSince = NOT_OVER;
        standing = false;
    }

    /** True while every send taken for a whole interval had waited longer than the target. */
    public boolean standing() {
        return standing;
    }
}
