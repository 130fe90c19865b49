package dev.courier.db;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log lines for slow holds: at most one per call site and cause every {@link #EVERY}, telling how many more were
 * held back. An overloaded server slows every request alike, and a line per slow lease would bury the log just when
 * someone reads it. Every slow hold is still counted and published; only the log is thinned.
 *
 * <p>Not thread-safe: the sweep's one thread writes it. Call sites are a small fixed set of names in the code, so
 * the tallies stay few.
 */
final class SlowHoldLog {

    static final Duration EVERY = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(SlowHoldLog.class);

    private record Key(String callSite, Saturation cause) {
    }

    private static final class Tally {
        boolean logged;
        long loggedAtNanos;
        long heldBack;
    }

    private final Map<Key, Tally> tallies = new HashMap<>();

    void slowHold(Lease lease, long heldMillis, Saturation cause, long nowNanos) {
        Tally tally = tallies.computeIfAbsent(new Key(lease.callSite(), cause), key -> new Tally());
        if (tally.logged && nowNanos - tally.loggedAtNanos < EVERY.toNanos()) {
            tally.heldBack++;
            return;
        }
        long heldBack = tally.heldBack;
        tally.logged = true;
        tally.loggedAtNanos = nowNanos;
        tally.heldBack = 0;
        log.warn("saturation, not a leak: {} has held a connection for {} ms on thread {} while {}; its callback is"
                        + " still running{}", lease.callSite(), heldMillis, lease.thread(), waitingFor(cause),
                heldBack == 0 ? "" : " (" + heldBack + " more slow holds of this call site waiting for "
                        + cause.label() + " since the last such line)");
    }

    private static String waitingFor(Saturation cause) {
        return switch (cause) {
            case CPU -> "its thread runs or waits for a CPU core";
            case DATABASE -> "it waits for PostgreSQL";
        };
    }
}
