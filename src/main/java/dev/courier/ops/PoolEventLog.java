package dev.courier.ops;

import dev.courier.db.PoolEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The pool's recent reports (leaks, slow holds, reclaims, timeouts, reachability), kept for the alert rules, and
 * counted as metrics. Bounded per kind of report, the oldest forgotten first: an overloaded server reports a slow
 * hold or a timeout for many requests, and that flood must not push the rarer leak reports out of the window.
 *
 * <p>Listeners of {@code Database} run on the reporting thread, so {@link #accept} only appends under a short lock.
 */
public final class PoolEventLog implements Consumer<PoolEvent> {

    /** One report and when it arrived. */
    public record Stamped(Instant at, PoolEvent event) {
    }

    private static final int CAPACITY_PER_KIND = 1_000;

    private final Map<Class<?>, Deque<Stamped>> recent = new HashMap<>();
    // Leak and slow-hold counters live with the lease registry that detects them; only timeouts are counted here.
    private final Counter timeouts;

    public PoolEventLog(MeterRegistry meters) {
        timeouts = Counter.builder(MetricNames.POOL_ACQUISITION_TIMEOUTS)
                .description("Callers that got no connection within the acquisition deadline").register(meters);
    }

    @Override
    public void accept(PoolEvent event) {
        switch (event) {
            case PoolEvent.LeakSuspected e -> { }
            case PoolEvent.SlowHold e -> { }
            case PoolEvent.LeakReclaimed e -> { }
            case PoolEvent.AcquisitionTimedOut e -> timeouts.increment();
            case PoolEvent.DatabaseUnreachable e -> { }
            case PoolEvent.DatabaseReachable e -> { }
            case PoolEvent.WritesRefused e -> { }
        }
        synchronized (recent) {
            Deque<Stamped> ofKind = recent.computeIfAbsent(event.getClass(), kind -> new ArrayDeque<>());
            if (ofKind.size() == CAPACITY_PER_KIND) {
                ofKind.removeFirst();
            }
            ofKind.addLast(new Stamped(Instant.now(), event));
        }
    }

    /** Reports that arrived within {@code window} before {@code now}, oldest first. */
    public List<Stamped> since(Instant now, Duration window) {
        Instant oldest = now.minus(window);
        List<Stamped> out = new ArrayList<>();
        synchronized (recent) {
            for (Deque<Stamped> ofKind : recent.values()) {
                for (Stamped s : ofKind) {
                    if (!s.at().isBefore(oldest)) {
                        out.add(s);
                    }
                }
            }
        }
        out.sort(Comparator.comparing(Stamped::at));
        return out;
    }
}
