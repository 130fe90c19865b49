package dev.courier.ops;

import dev.courier.db.PausedTime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when this whole process was not running, as jHiccup does: a thread of its own sleeps {@link #TICK} and
 * measures how late it wakes. A few milliseconds late is the scheduler; {@link #THRESHOLD} or more means that nothing in
 * the process ran: it was stopped (SIGSTOP), frozen with its VM or container, swapped out, or halted by a stop-the-world
 * collection. {@code System.nanoTime()} goes on counting meanwhile, so after a pause every wait in the process looks
 * that much longer, and a connection held across it looks like saturation or a leak. Each pause is logged, timed
 * ({@link MetricNames#PROCESS_PAUSE}), kept for the alert that names it ({@code CourierProcessPaused}), and left out of
 * the leak sweep's ages ({@link PausedTime}).
 *
 * <p>Whoever reads it right after the process resumes may run before this thread does: a pause still under way (this
 * thread already that late) counts as one. The same is true while this one thread alone is starved of a core for a
 * second, which on a machine where every thread gets its turn within milliseconds means the process as a whole was.
 *
 * <p>Thread-safe: the detector's thread records, the sweep and the alert engine read, under this object's lock.
 */
public final class PauseDetector implements PausedTime, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PauseDetector.class);

    static final Duration TICK = Duration.ofMillis(50);
    static final Duration THRESHOLD = Duration.ofSeconds(1);
    /** Enough to cover any lease's life; older pauses are forgotten. */
    private static final int KEPT = 64;

    /**
     * One pause: when it ended by the wall clock, and its span in {@link System#nanoTime()} (it started at most one
     * {@link #TICK} before {@code startNanos}: the thread was asleep).
     */
    public record Pause(Instant endedAt, long startNanos, long endNanos) {

        public Duration duration() {
            return Duration.ofNanos(endNanos - startNanos);
        }

        /** The pause's length as people read it, e.g. {@code 20.1 s}. */
        public String seconds() {
            return String.format(Locale.ROOT, "%.1f s", (endNanos - startNanos) / 1e9);
        }
    }

    private final LongSupplier nanos;
    private final Supplier<Instant> wallClock;
    private final Timer pauses;
    private final Deque<Pause> recent = new ArrayDeque<>();
    private long lastTickNanos;
    private Thread thread;

    PauseDetector(LongSupplier nanos, Supplier<Instant> wallClock, MeterRegistry meters) {
        this.nanos = nanos;
        this.wallClock = wallClock;
        this.pauses = Timer.builder(MetricNames.PROCESS_PAUSE)
                .description("Pauses of the whole process of " + THRESHOLD.toSeconds() + " s or more: stopped, frozen,"
                        + " swapped out or halted by the garbage collector")
                .register(meters);
        this.lastTickNanos = nanos.getAsLong();
    }

    /** Watches this process from a daemon thread of its own until closed. */
    public static PauseDetector start(MeterRegistry meters) {
        PauseDetector detector = new PauseDetector(System::nanoTime, Instant::now, meters);
        detector.thread = Thread.ofPlatform().daemon().name("courier-pause-detector").start(detector::watch);
        return detector;
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(TICK);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            tick();
        }
    }

    /** One wake-up of the detector's thread, one {@link #TICK} after the previous one: a pause when it is that late. */
    void tick() {
        Pause pause;
        synchronized (this) {
            long now = nanos.getAsLong();
            long late = now - lastTickNanos - TICK.toNanos();
            lastTickNanos = now;
            if (late < THRESHOLD.toNanos()) {
                return;
            }
            pause = new Pause(wallClock.get(), now - late, now);
            recent.addLast(pause);
            if (recent.size() > KEPT) {
                recent.removeFirst();
            }
        }
        pauses.record(pause.duration());
        log.warn("this process was paused for {}: not scheduled at all (stopped with SIGSTOP, its VM or container frozen,"
                + " swapped out, or a stop-the-world collection); database connections held across it are not judged"
                + " as saturation or leaks", pause.seconds());
    }

    @Override
    public synchronized long pausedNanos(long fromNanos, long toNanos) {
        long paused = 0;
        for (Pause pause : recent) {
            paused += overlap(pause.startNanos(), pause.endNanos(), fromNanos, toNanos);
        }
        long underWaySince = lastTickNanos + TICK.toNanos();
        long now = nanos.getAsLong();
        if (now - underWaySince >= THRESHOLD.toNanos()) {
            paused += overlap(underWaySince, now, fromNanos, toNanos);
        }
        return paused;
    }

    /** The pauses that ended within {@code window} before {@code now}, oldest first. */
    public synchronized List<Pause> endedWithin(Instant now, Duration window) {
        Instant oldest = now.minus(window);
        return recent.stream().filter(p -> !p.endedAt().isBefore(oldest)).toList();
    }

    private static long overlap(long start, long end, long fromNanos, long toNanos) {
        return Math.max(0, Math.min(end, toNanos) - Math.max(start, fromNanos));
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
