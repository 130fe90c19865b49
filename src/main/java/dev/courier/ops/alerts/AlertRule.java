package dev.courier.ops.alerts;

import java.time.Duration;
import java.util.Optional;

/** One condition on the live figures. The engine fires the alert once the condition has held for {@link #holdFor()}. */
public interface AlertRule {

    /** The alert's name, CamelCase like Prometheus alert names; also the runbook's file name. */
    String name();

    Severity severity();

    /** How long the condition must hold without a break before the alert fires; zero fires at once. */
    Duration holdFor();

    /** The finding when the condition holds now, or empty. */
    Optional<Finding> check(Figures figures);

    default String runbook() {
        return "docs/runbooks/" + name() + ".md";
    }
}
