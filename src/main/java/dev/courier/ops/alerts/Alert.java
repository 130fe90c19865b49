package dev.courier.ops.alerts;

import java.time.Instant;
import java.util.Map;

/**
 * One alert as {@code GET /v1/admin/alerts} shows it and as notifications carry it.
 *
 * @param summary  what is wrong, naming the cause when it is known (the leaking call site)
 * @param runbook  where the runbook for this alert lives, relative to the repository root
 * @param endsAt   null while firing
 */
public record Alert(String name, String state, Severity severity, String summary, Map<String, String> labels,
                    String runbook, Instant startsAt, Instant endsAt) {

    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";

    public Alert {
        labels = Map.copyOf(labels);
    }

    public boolean firing() {
        return FIRING.equals(state);
    }

    Alert resolvedAt(Instant at) {
        return new Alert(name, RESOLVED, severity, summary, labels, runbook, startsAt, at);
    }

    Alert withFinding(Finding finding) {
        return new Alert(name, state, severity, finding.summary(), finding.labels(), runbook, startsAt, endsAt);
    }
}
