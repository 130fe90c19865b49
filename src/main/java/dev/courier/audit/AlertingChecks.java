package dev.courier.audit;

import dev.courier.nodes.Node;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Whether an alert would reach a person: webhooks configured, reachable, and an engine evaluating. */
final class AlertingChecks {

    /** The engine evaluates every second; a minute without is a stopped engine. */
    static final Duration STALE_EVALUATION = Duration.ofSeconds(60);

    private AlertingChecks() {
    }

    static CheckResult webhooksConfigured(AuditContext c) {
        List<String> none = c.alive().stream().filter(n -> n.settings().alertWebhooks().isEmpty()).map(Node::address)
                .toList();
        if (!none.isEmpty()) {
            return CheckResult.fail("alerting.webhooks", "no alert webhook on " + String.join(", ", none)
                            + ": their alerts reach only their log and /ops",
                    "set --alert-webhook (COURIER_ALERT_WEBHOOKS) to your Alertmanager's /api/v2/alerts on every node");
        }
        return CheckResult.pass("alerting.webhooks", c.alive().isEmpty() ? "no live node" : "every live node posts "
                + "alerts to " + c.alive().stream().flatMap(n -> n.settings().alertWebhooks().stream()).distinct()
                .collect(Collectors.joining(", ")));
    }

    /**
     * Asks each receiver something that raises no alert: Alertmanager's {@code /-/ready} when the webhook is its API,
     * otherwise a {@code HEAD} of the receiver's root, where any HTTP answer shows it listens.
     */
    static CheckResult webhooksReachable(AuditContext c) throws InterruptedException {
        Set<String> targets = new LinkedHashSet<>();
        c.alive().forEach(n -> targets.addAll(n.settings().alertWebhooks()));
        if (targets.isEmpty()) {
            return CheckResult.warn("alerting.webhooks-reachable", "no webhook to try", "see alerting.webhooks");
        }
        List<String> down = new ArrayList<>();
        List<String> up = new ArrayList<>();
        for (String target : targets) {
            URI uri = URI.create(target);
            boolean alertmanager = uri.getPath() != null && uri.getPath().matches("/api/v[12]/alerts/?");
            URI probe = alertmanager ? uri.resolve("/-/ready") : uri.resolve("/");
            HttpRequest request = HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(5))
                    .method(alertmanager ? "GET" : "HEAD", HttpRequest.BodyPublishers.noBody()).build();
            try {
                int status = c.http().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (alertmanager && status != 200 || status >= 500) {
                    down.add(probe + " answered " + status);
                } else {
                    up.add(probe + " " + status);
                }
            } catch (IOException e) {
                down.add(probe + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        if (!down.isEmpty()) {
            return CheckResult.fail("alerting.webhooks-reachable", "alert receiver not reachable: "
                            + String.join("; ", down),
                    "start the receiver or fix the URL; until then alerts are lost (each node retries for a while)");
        }
        return CheckResult.pass("alerting.webhooks-reachable", "every receiver answers: " + String.join(", ", up));
    }

    static CheckResult engine(AuditContext c) {
        List<String> stale = new ArrayList<>();
        long worst = 0;
        for (Node n : c.alive()) {
            Instant evaluated = n.settings().alertsEvaluatedAt();
            // the node's clock at its heartbeat: PostgreSQL's then, plus the node's skew
            Instant nodeClock = n.heartbeatAt().plusMillis(n.clockSkewMillis());
            if (evaluated == null) {
                if (Duration.between(n.startedAt(), n.heartbeatAt()).compareTo(STALE_EVALUATION) > 0) {
                    stale.add(n.address() + " never evaluated");
                }
                continue;
            }
            long age = Duration.between(evaluated, nodeClock).toMillis();
            worst = Math.max(worst, age);
            if (age > STALE_EVALUATION.toMillis()) {
                stale.add(n.address() + " last evaluated " + age / 1000 + " s before its heartbeat");
            }
        }
        if (!stale.isEmpty()) {
            return CheckResult.fail("alerting.engine", "alert engine not evaluating: " + String.join(", ", stale),
                    "restart those nodes and report the bug with a thread dump (jstack): no alert fires there");
        }
        return CheckResult.pass("alerting.engine", c.alive().isEmpty() ? "no live node"
                : "evaluating on every live node (latest at most " + Math.max(0, worst) + " ms old at its heartbeat)");
    }
}
