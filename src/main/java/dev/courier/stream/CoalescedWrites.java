package dev.courier.stream;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Gathers the frames that one thread sends to streams while it runs a task, and writes each stream's share at the
 * task's end in one socket write. The message writers' publisher answers a committed batch and delivers its
 * messages in one such task: the sender's {@code ack} and its own copy of the message then leave together, and so
 * does every other frame the batch brings to the same socket. Fewer, larger writes cost less on both ends: at 6,000
 * msg/s the server made a third fewer writes per message, and clients a sixth fewer reads (bench/results/2026-11-26-linger-coalescing.md). Nothing waits for a timer: a
 * frame waits at most for the rest of its batch's answers and deliveries, which are computed, not awaited.
 *
 * <p>Jetty's frame flusher does the gathering: frames sent in batch mode are copied into its batch buffer, which
 * the next flush or unbatched frame writes; a frame too large for that buffer is written at once.
 */
public final class CoalescedWrites {

    /** A stream whose frames may wait for the end of the task. */
    interface Target {
        /** Writes what waits. */
        void flush();
    }

    private static final ThreadLocal<Set<Target>> WAITING = new ThreadLocal<>();

    private CoalescedWrites() {
    }

    /**
     * Runs {@code task}; the frames it sends to streams leave, per stream, in one write once it returns or fails.
     * Inside another task on the same thread it just runs: the outer task's end writes.
     */
    public static void run(Runnable task) {
        if (WAITING.get() != null) {
            task.run();
            return;
        }
        Set<Target> waiting = new LinkedHashSet<>();
        WAITING.set(waiting);
        try {
            task.run();
        } finally {
            WAITING.remove();
            waiting.forEach(Target::flush);
        }
    }

    /**
     * Whether a frame for {@code target} sent now on this thread may wait for the end of the running task, and if so
     * notes the target for flushing then.
     */
    static boolean defer(Target target) {
        Set<Target> waiting = WAITING.get();
        if (waiting == null) {
            return false;
        }
        waiting.add(target);
        return true;
    }
}
