package dev.courier.ops.alerts;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Adds annotations to alerts wherever they were notified, e.g. a person's status update on their incident. */
public interface AlertAnnotations {

    /** Posts these alerts again with {@code annotations} beside their own; never waits for the receivers. */
    void annotate(List<Alert> alerts, Map<String, String> annotations, Instant now);
}
