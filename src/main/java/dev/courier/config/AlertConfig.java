package dev.courier.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How the built-in alert engine judges the live figures, and where it posts what it finds.
 *
 * @param webhooks            Alertmanager-compatible receivers ({@code POST /api/v2/alerts} body)
 * @param evaluationInterval  how often every rule is evaluated
 * @param saturationFor       the pool must stay fully busy this long before "pool saturated" fires
 * @param waitingFor          callers must keep waiting for a connection this long before "callers waiting" fires
 * @param eventWindow         an event-driven alert (timeouts, reclaims, leak reports) stays firing this long after
 *                            its last event
 * @param trafficWindow       the window over which the 5xx rate and the latency objective are judged
 * @param errorRateThreshold  share of 5xx answers above which the error-rate alert fires (0.01 = 1 %)
 * @param latencyObjective    a request slower than this misses the latency objective
 * @param latencyTarget       share of requests that must meet the objective (0.99 = 99 %)
 * @param minimumRequests     rate alerts stay quiet with fewer requests than this in the window
 */
public record AlertConfig(
        List<URI> webhooks,
        Duration evaluationInterval,
        Duration saturationFor,
        Duration waitingFor,
        Duration eventWindow,
        Duration trafficWindow,
        double errorRateThreshold,
        Duration latencyObjective,
        double latencyTarget,
        int minimumRequests) {

    public static AlertConfig defaults() {
        return new AlertConfig(List.of(), Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofSeconds(60), Duration.ofSeconds(60), 0.01, Duration.ofMillis(500), 0.99, 20);
    }

    public AlertConfig {
        webhooks = List.copyOf(webhooks);
        for (URI hook : webhooks) {
            if (hook.getScheme() == null || !(hook.getScheme().equals("http") || hook.getScheme().equals("https"))
                    || hook.getHost() == null) {
                throw new IllegalArgumentException("--alert-webhook must be an http:// or https:// URL, got '"
                        + hook + "'");
            }
        }
        requireAtLeast(evaluationInterval, Duration.ofMillis(100), "alert evaluation interval");
        requireAtLeast(saturationFor, Duration.ZERO, "pool saturation hold time");
        requireAtLeast(waitingFor, Duration.ZERO, "connection waiting hold time");
        requireAtLeast(eventWindow, Duration.ofSeconds(1), "alert event window");
        requireAtLeast(trafficWindow, Duration.ofSeconds(1), "alert traffic window");
        if (trafficWindow.toSeconds() > 3600) {
            throw new IllegalArgumentException("the alert traffic window must be at most 1h");
        }
        if (!(errorRateThreshold > 0 && errorRateThreshold < 1)) {
            throw new IllegalArgumentException("the error-rate threshold must be between 0 and 1");
        }
        if (!(latencyTarget > 0 && latencyTarget < 1)) {
            throw new IllegalArgumentException("the latency target must be between 0 and 1");
        }
        requireAtLeast(latencyObjective, Duration.ofMillis(1), "latency objective");
        if (minimumRequests < 1) {
            throw new IllegalArgumentException("the minimum request count of rate alerts must be at least 1");
        }
    }

    public AlertConfig withWebhooks(List<URI> hooks) {
        return new AlertConfig(hooks, evaluationInterval, saturationFor, waitingFor, eventWindow, trafficWindow,
                errorRateThreshold, latencyObjective, latencyTarget, minimumRequests);
    }

    /** The same rules with shorter hold times and windows, for drills and tests that cannot wait a minute. */
    public AlertConfig withWindows(Duration saturation, Duration waiting, Duration events, Duration traffic) {
        return new AlertConfig(webhooks, evaluationInterval, saturation, waiting, events, traffic, errorRateThreshold,
                latencyObjective, latencyTarget, minimumRequests);
    }

    private static void requireAtLeast(Duration d, Duration min, String what) {
        if (d == null || d.compareTo(min) < 0) {
            throw new IllegalArgumentException("the " + what + " must be at least " + min);
        }
    }
}
