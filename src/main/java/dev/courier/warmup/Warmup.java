package dev.courier.warmup;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node does between listening and answering ready: each {@link WarmupStep} in order, within one time budget,
 * so that the first requests find the JIT's profiles started, the codecs' classes loaded and each pooled database
 * connection with the send path's statements planned, instead of paying for it themselves. Readiness stays down
 * until it has {@link #finished()}; a step that fails is logged and skipped, since a cold path is slower, not wrong,
 * and readiness goes on checking what makes the node able to serve.
 */
public final class Warmup {

    private static final Logger log = LoggerFactory.getLogger(Warmup.class);

    private final Duration budget;
    private volatile boolean finished;

    public Warmup(Duration budget) {
        this.budget = budget;
    }

    /**
     * Runs every step in order (they are given here, not at construction, because the loopback step needs the port
     * the node listens on, and readiness needs this object before that); returns when they are done or the budget is
     * spent.
     */
    public void run(List<WarmupStep> steps) {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        try {
            for (WarmupStep step : steps) {
                if (System.nanoTime() - deadline >= 0) {
                    log.warn("warm-up: the budget of {} ms was spent before {}", budget.toMillis(), step.name());
                    break;
                }
                long stepStart = System.nanoTime();
                try {
                    step.run(deadline);
                    log.info("warm-up: {} in {} ms", step.name(), (System.nanoTime() - stepStart) / 1_000_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    log.warn("warm-up: interrupted during {}", step.name());
                    break;
                } catch (Exception e) {
                    log.warn("warm-up: {} failed after {} ms, skipped: {}", step.name(),
                            (System.nanoTime() - stepStart) / 1_000_000, e.toString());
                }
            }
        } finally {
            finished = true;
        }
        log.info("warm-up: done in {} ms", (System.nanoTime() - start) / 1_000_000);
    }

    /** Whether the warm-up is over (done, failed or out of time): until then readiness is down. */
    public boolean finished() {
        return finished;
    }
}
