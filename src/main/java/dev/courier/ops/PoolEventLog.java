package dev.courier.ops;

import dev.courier.db.PoolEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * The pool's recent reports (leaks, reclaims, timeouts, reachability), kept for the alert rules, and counted as
 * metrics. Bounded: the oldest reports are forgotten first.
 *
 * <p>Listeners of {@code Database} run on the reporting thread, so {@link #accept} only appends under a short lock.
 */
public final class PoolEventLog implements Consumer<PoolEvent> {

    /** One report and when it arrived. */
    public record Stamped(Instant at, PoolEvent event) {
    }

    private static final int CAPACITY = 1_000;

    private final Deque<Stamped> recent = new ArrayDeque<>();
    // Leak counters live with the lease registry that detects the leaks; only timeouts are counted here.
    private final Counter timeouts;

    public PoolEventLog(MeterRegistry meters) {
        timeouts = Counter.builder(MetricNames.POOL_ACQUISITION_TIMEOUTS)
                .description("Callers that got no connection within the acquisition deadline").register(meters);
    }

    @Override
    public void accept(PoolEvent event) {
        switch (event) {
            case PoolEvent.LeakSuspected e -> { }
            case PoolEvent.LeakReclaimed e -> { }
            case PoolEvent.AcquisitionTimedOut e -> timeouts.increment();
            case PoolEvent.DatabaseUnreachable e -> { }
            case PoolEvent.DatabaseReachable e -> { }
        }
        synchronized (recent) {
            if (recent.size() == CAPACITY) {
                recent.removeFirst();
            }
            recent.addLast(new Stamped(Instant.now(), event));
        }
    }

    /** Reports that arrived within {@code window} before {@code now}, oldest first. */
    public List<Stamped> since(Instant now, Duration window) {
        Instant oldest = now.minus(window);
        synchronized (recent) {
            List<Stamped> out = new ArrayList<>();
            for (Stamped s : recent) {
                if (!s.at().isBefore(oldest)) {
                    out.add(s);
                }
            }
            return out;
        }
    }
}
