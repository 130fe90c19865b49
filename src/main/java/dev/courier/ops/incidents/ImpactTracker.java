package dev.courier.ops.incidents;

import dev.courier.ops.RequestOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Counts, while an incident is open, the requests answered, those answered with a 5xx, and the distinct users
 * behind them: who was active and who saw at least one failure.
 *
 * <p>A request that failed before authentication (the database was down) is attributed to its user through the
 * token digests of that user's earlier successful requests. Memory is bounded: at most {@link #MAX_USERS} users are
 * told apart per incident and {@link #MAX_TOKENS} tokens remembered; beyond that the counts stop growing and the
 * share is computed over the users seen.
 */
public final class ImpactTracker implements Consumer<RequestOutcome> {

    static final int MAX_USERS = 100_000;
    static final int MAX_TOKENS = 100_000;

    private final Map<String, Long> userOfToken = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_TOKENS;
        }
    };
    private volatile boolean tracking;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private final Set<String> affected = ConcurrentHashMap.newKeySet();

    @Override
    public void accept(RequestOutcome outcome) {
        String user = userOf(outcome);
        if (!tracking) {
            return;
        }
        requests.incrementAndGet();
        if (outcome.failed()) {
            failed.incrementAndGet();
        }
        if (user != null) {
            if (active.size() < MAX_USERS) {
                active.add(user);
            }
            if (outcome.failed() && affected.size() < MAX_USERS && active.contains(user)) {
                affected.add(user);
            }
        }
    }

    private String userOf(RequestOutcome outcome) {
        if (outcome.userId() != null) {
            if (outcome.tokenDigest() != null) {
                synchronized (userOfToken) {
                    userOfToken.put(outcome.tokenDigest(), outcome.userId());
                }
            }
            return "user:" + outcome.userId();
        }
        if (outcome.tokenDigest() == null) {
            return null;
        }
        Long known;
        synchronized (userOfToken) {
            known = userOfToken.get(outcome.tokenDigest());
        }
        return known != null ? "user:" + known : "token:" + outcome.tokenDigest();
    }

    /** Starts counting from zero, continuing from figures already persisted (after a restart). */
    synchronized void begin(long requestsSoFar, long failedSoFar) {
        requests.set(requestsSoFar);
        failed.set(failedSoFar);
        active.clear();
        affected.clear();
        tracking = true;
    }

    synchronized void stop() {
        tracking = false;
    }

    Impact snapshot(long durationSeconds) {
        return Impact.of(durationSeconds, requests.get(), failed.get(), active.size(), affected.size());
    }
}
