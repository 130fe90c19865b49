package dev.courier.ops.alerts;

import java.util.Map;

/** What a rule found: a summary for people and labels for routing (e.g. {@code call_site}). */
public record Finding(String summary, Map<String, String> labels) {

    public Finding {
        labels = Map.copyOf(labels);
    }

    public static Finding of(String summary) {
        return new Finding(summary, Map.of());
    }
}
