package dev.courier.warmup;

/** One part of the start-up warm-up: work a first request would otherwise pay for, done before the node is ready. */
public interface WarmupStep {

    String name();

    /**
     * Does the work, stopping early once {@code deadlineNanos} ({@link System#nanoTime()}) has passed; throws when it
     * could not do it (the warm-up logs that and goes on: a cold path is slower, not wrong).
     */
    void run(long deadlineNanos) throws Exception;
}
