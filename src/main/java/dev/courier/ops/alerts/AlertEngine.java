package dev.courier.ops.alerts;

import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates every rule against fresh figures once per interval, on one thread of its own, so that no request
 * thread ever waits for it. A rule's alert fires once its condition has held for the rule's hold time and resolves
 * on the first evaluation where it no longer holds.
 */
public final class AlertEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);
    private static final int RESOLVED_KEPT = 50;

    private final class RuleState {
        final AlertRule rule;
        Instant holdingSince;
        Alert firing;

        RuleState(AlertRule rule) {
            this.rule = rule;
        }
    }

    private final Map<String, RuleState> states = new LinkedHashMap<>();
    private final Deque<Alert> resolved = new ArrayDeque<>();
    private final Supplier<Figures> sampler;
    private final List<AlertListener> listeners;
    private final Duration interval;
    private ScheduledExecutorService scheduler;
    /** When the last round over the rules finished: an engine that stopped evaluating alerts nobody. */
    private volatile Instant lastEvaluation;

    public AlertEngine(List<AlertRule> rules, Supplier<Figures> sampler, List<AlertListener> listeners,
                       Duration interval, MeterRegistry meters) {
        this.sampler = sampler;
        this.listeners = List.copyOf(listeners);
        this.interval = interval;
        for (AlertRule rule : rules) {
            RuleState state = new RuleState(rule);
            states.put(rule.name(), state);
            Gauge.builder(MetricNames.ALERTS_FIRING, this, e -> e.isFiring(rule.name()) ? 1 : 0)
                    .description("1 while the built-in alert fires").tag("alertname", rule.name())
                    .register(meters);
        }
    }

    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "courier-alerts");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::evaluateSafely, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void evaluateSafely() {
        try {
            evaluate(sampler.get());
        } catch (RuntimeException e) {
            // an evaluation that throws must not end the schedule: the next second may go better
            log.warn("alert evaluation failed: {}", e.toString());
        }
    }

    /** One round over every rule; public so that tests can drive the engine with figures of their own. */
    public void evaluate(Figures figures) {
        List<Runnable> notifications = new ArrayList<>();
        List<Alert> firingNow;
        synchronized (this) {
            for (RuleState state : states.values()) {
                Optional<Finding> finding = state.rule.check(figures);
                if (finding.isPresent()) {
                    if (state.holdingSince == null) {
                        state.holdingSince = figures.at();
                    }
                    if (state.firing != null) {
                        state.firing = state.firing.withFinding(finding.get());
                    } else if (!figures.at().isBefore(state.holdingSince.plus(state.rule.holdFor()))) {
                        Alert alert = new Alert(state.rule.name(), Alert.FIRING, state.rule.severity(),
                                finding.get().summary(), finding.get().labels(), state.rule.runbook(), figures.at(),
                                null);
                        state.firing = alert;
                        notifications.add(() -> listeners.forEach(l -> l.fired(alert, figures)));
                    }
                } else {
                    state.holdingSince = null;
                    if (state.firing != null) {
                        Alert done = state.firing.resolvedAt(figures.at());
                        state.firing = null;
                        resolved.addFirst(done);
                        while (resolved.size() > RESOLVED_KEPT) {
                            resolved.removeLast();
                        }
                        notifications.add(() -> listeners.forEach(l -> l.resolved(done, figures)));
                    }
                }
            }
            firingNow = firing();
        }
        notifications.forEach(Runnable::run);
        listeners.forEach(l -> l.evaluated(figures, firingNow));
        lastEvaluation = Instant.now();
    }

    /** When the last evaluation finished, by this node's clock; empty before the first. */
    public Optional<Instant> lastEvaluation() {
        return Optional.ofNullable(lastEvaluation);
    }

    /** Firing alerts, oldest first, then recently resolved ones, newest first. */
    public synchronized List<Alert> alerts() {
        List<Alert> out = new ArrayList<>(firing());
        out.addAll(resolved);
        return out;
    }

    public synchronized List<Alert> firing() {
        return states.values().stream().map(s -> s.firing).filter(a -> a != null)
                .sorted(Comparator.comparing(Alert::startsAt)).toList();
    }

    private synchronized boolean isFiring(String name) {
        RuleState state = states.get(name);
        return state != null && state.firing != null;
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
