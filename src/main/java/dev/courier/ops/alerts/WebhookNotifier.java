package dev.courier.ops.alerts;

import dev.courier.ops.MetricNames;
import dev.courier.web.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts alerts to every configured webhook in the body of Alertmanager's {@code POST /api/v2/alerts}: a JSON array
 * of {@code {labels, annotations, startsAt, endsAt, generatorURL}}. Firing alerts are posted again every
 * {@link #RESEND} (as Prometheus does) with {@code endsAt} a few resends ahead, so a real Alertmanager keeps them
 * active and resolves them itself if Courier dies. Alerts of an incident a person has acknowledged are not posted
 * again: the person is on it. A status update on an incident posts its alerts once more, with the status as
 * annotations ({@link #annotate}).
 *
 * <p>Never blocks its caller: posts wait in a bounded queue for one sender thread; each attempt has a connect and
 * a request timeout and a post is tried at most {@link #ATTEMPTS} times. When the queue is full the post is dropped
 * and counted.
 */
public final class WebhookNotifier implements AlertListener, AlertAnnotations, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
    public static final Duration RESEND = Duration.ofSeconds(60);
    private static final int ATTEMPTS = 3;
    private static final int QUEUE_CAPACITY = 256;

    private record Post(URI target, String body) {
    }

    private final List<URI> targets;
    private final String generatorUrl;
    private final String instance;
    private final Duration resend;
    private final Duration validFor;
    private final Predicate<Alert> acknowledged;
    private final BlockingQueue<Post> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Counter sent;
    private final Counter failed;
    private final Counter dropped;
    private final Thread sender;
    private Instant lastResend = Instant.now();

    /**
     * @param resend       how often firing alerts are posted again
     * @param acknowledged true for a firing alert whose incident a person has acknowledged: it is not posted again
     */
    public WebhookNotifier(List<URI> targets, String generatorUrl, String instance, Duration resend,
                           Predicate<Alert> acknowledged, MeterRegistry meters) {
        this.targets = List.copyOf(targets);
        this.generatorUrl = generatorUrl;
        this.instance = instance;
        this.resend = resend;
        this.validFor = resend.multipliedBy(4);
        this.acknowledged = acknowledged;
        this.sent = outcome(meters, "sent");
        this.failed = outcome(meters, "failed");
        this.dropped = outcome(meters, "dropped");
        this.sender = Thread.ofPlatform().daemon().name("courier-alert-webhooks").start(this::sendLoop);
    }

    private static Counter outcome(MeterRegistry meters, String outcome) {
        return Counter.builder(MetricNames.ALERT_NOTIFICATIONS)
                .description("Alert posts to webhooks by outcome").tag("outcome", outcome).register(meters);
    }

    @Override
    public void fired(Alert alert, Figures figures) {
        enqueue(List.of(alert), Map.of(), figures.at());
    }

    @Override
    public void resolved(Alert alert, Figures figures) {
        enqueue(List.of(alert), Map.of(), figures.at());
    }

    @Override
    public void evaluated(Figures figures, List<Alert> firing) {
        if (!firing.isEmpty() && !figures.at().isBefore(lastResend.plus(resend))) {
            lastResend = figures.at();
            List<Alert> unattended = firing.stream().filter(acknowledged.negate()).toList();
            if (!unattended.isEmpty()) {
                enqueue(unattended, Map.of(), figures.at());
            }
        }
    }

    @Override
    public void annotate(List<Alert> alerts, Map<String, String> annotations, Instant now) {
        if (!alerts.isEmpty()) {
            enqueue(alerts, annotations, now);
        }
    }

    /** The Alertmanager v2 body for these alerts, with {@code extra} annotations beside each alert's own. */
    List<Map<String, Object>> payload(List<Alert> alerts, Map<String, String> extra, Instant now) {
        return alerts.stream().map(a -> {
            Map<String, String> labels = new LinkedHashMap<>(a.labels());
            labels.put("alertname", a.name());
            labels.put("severity", a.severity().name());
            labels.put("service", "courier");
            labels.put("instance", instance);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("labels", labels);
            Map<String, String> annotations = new LinkedHashMap<>(extra);
            annotations.put("summary", a.summary());
            annotations.put("runbook_url", a.runbook());
            body.put("annotations", annotations);
            body.put("startsAt", a.startsAt());
            body.put("endsAt", a.firing() ? now.plus(validFor) : a.endsAt());
            body.put("generatorURL", generatorUrl);
            return body;
        }).toList();
    }

    private void enqueue(List<Alert> alerts, Map<String, String> annotations, Instant now) {
        if (targets.isEmpty()) {
            return;
        }
        String body = Json.write(payload(alerts, annotations, now));
        for (URI target : targets) {
            if (!queue.offer(new Post(target, body))) {
                dropped.increment();
                log.warn("alert webhook queue full; dropped a post to {}", target);
            }
        }
    }

    private void sendLoop() {
        try {
            while (true) {
                deliver(queue.take());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(Post post) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(post.target()).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(post.body())).build();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    sent.increment();
                    return;
                }
                log.warn("alert webhook {} answered {} (attempt {} of {})", post.target(), response.statusCode(),
                        attempt, ATTEMPTS);
            } catch (IOException e) {
                log.warn("alert webhook {} failed: {} (attempt {} of {})", post.target(), e.toString(), attempt,
                        ATTEMPTS);
            }
            if (attempt < ATTEMPTS) {
                Thread.sleep(500L * attempt);
            }
        }
        failed.increment();
    }

    @Override
    public void close() {
        sender.interrupt();
    }
}
