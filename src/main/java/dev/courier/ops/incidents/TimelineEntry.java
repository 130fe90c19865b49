package dev.courier.ops.incidents;

import java.time.Instant;
import java.util.Map;

/**
 * One line of an incident's timeline.
 *
 * @param kind    what happened, e.g. {@code alert_firing}, {@code pool_snapshot}, {@code leak_call_site},
 *                {@code leak_reclaimed}, {@code database_unreachable}, {@code fault_switch}, {@code restart}
 * @param data    the evidence, as JSON
 */
public record TimelineEntry(Instant at, String kind, String summary, Map<String, Object> data) {

    public TimelineEntry {
        data = data == null ? Map.of() : data;
    }
}
