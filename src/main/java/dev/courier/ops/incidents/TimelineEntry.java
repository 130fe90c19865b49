package dev.courier.ops.incidents;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.ops.alerts.Severity;
import dev.courier.web.TraceContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One line of an incident's timeline: when it happened, a sentence for people, and the evidence of its kind, one
 * record per kind. {@code kind} names the record as {@code type} names a stream frame; {@link TimelineRow} turns an
 * entry into the row that {@code incident_events} stores and the admin API shows, and back.
 *
 * <p>The summary is stored, not derived from the evidence: rows written by earlier versions keep their sentence, and
 * some sentences say more than the evidence keeps (a fault switch names the switches before it).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(TimelineEntry.AlertFiring.class), @JsonSubTypes.Type(TimelineEntry.AlertResolved.class),
        @JsonSubTypes.Type(TimelineEntry.PoolSnapshot.class), @JsonSubTypes.Type(TimelineEntry.SlowHold.class),
        @JsonSubTypes.Type(TimelineEntry.LeakCallSite.class), @JsonSubTypes.Type(TimelineEntry.LeakReclaimed.class),
        @JsonSubTypes.Type(TimelineEntry.DatabaseUnreachable.class),
        @JsonSubTypes.Type(TimelineEntry.DatabaseReachable.class),
        @JsonSubTypes.Type(TimelineEntry.FaultSwitch.class), @JsonSubTypes.Type(TimelineEntry.Restart.class),
        @JsonSubTypes.Type(TimelineEntry.IncidentResolved.class), @JsonSubTypes.Type(TimelineEntry.Acknowledged.class),
        @JsonSubTypes.Type(TimelineEntry.Note.class), @JsonSubTypes.Type(TimelineEntry.Action.class),
        @JsonSubTypes.Type(TimelineEntry.StatusUpdate.class)})
public sealed interface TimelineEntry {

    Instant at();

    String summary();

    /** An alert started firing; the first one opens the incident. */
    @JsonTypeName("alert_firing")
    record AlertFiring(Instant at, String summary, String alert, Severity severity, Map<String, String> labels,
                       String runbook) implements TimelineEntry {

        public AlertFiring {
            labels = Map.copyOf(labels);
        }
    }

    /** @param firedAt when the alert started firing */
    @JsonTypeName("alert_resolved")
    record AlertResolved(Instant at, String summary, String alert, Instant firedAt) implements TimelineEntry {
    }

    /**
     * The pool when an alert fired, and periodically while the incident is open.
     *
     * @param holders the call sites suspected of leaking, or else the one holding connections longest
     */
    @JsonTypeName("pool_snapshot")
    record PoolSnapshot(Instant at, String summary, int active, int idle, int pending, int max, List<Holder> holders,
                        boolean databaseReachable) implements TimelineEntry {

        public PoolSnapshot {
            holders = List.copyOf(holders);
        }

        /**
         * @param leases        connections the call site holds
         * @param longestHeldMs the longest of those holds
         */
        public record Holder(String callSite, int leases, long longestHeldMs) {
        }
    }

    /**
     * A call site held its connection past the leak threshold while its work still ran: saturation, not a leak.
     *
     * @param cause what the holder waited for, as {@code Saturation.label()}: {@code cpu} or {@code database}
     */
    @JsonTypeName("slow_hold")
    record SlowHold(Instant at, String summary, String callSite, String thread, long heldMs, String cause)
            implements TimelineEntry {
    }

    /**
     * A call site suspected of leaking, named once per incident.
     *
     * @param borrowedAt when the connection was borrowed: the onset the detection time is measured from
     * @param stack      the borrower's first frames, empty when it was not captured
     */
    @JsonTypeName("leak_call_site")
    record LeakCallSite(Instant at, String summary, String callSite, String thread, long heldMs, Instant borrowedAt,
                        List<String> stack) implements TimelineEntry {

        public LeakCallSite {
            stack = List.copyOf(stack);
        }
    }

    /** The pool took a leaked connection back. */
    @JsonTypeName("leak_reclaimed")
    record LeakReclaimed(Instant at, String summary, String callSite, String thread, long heldMs, String reason)
            implements TimelineEntry {
    }

    @JsonTypeName("database_unreachable")
    record DatabaseUnreachable(Instant at, String summary, String detail) implements TimelineEntry {
    }

    @JsonTypeName("database_reachable")
    record DatabaseReachable(Instant at, String summary) implements TimelineEntry {
    }

    /** The fault injector's switches after a change. */
    @JsonTypeName("fault_switch")
    record FaultSwitch(Instant at, String summary, double leakRate, long queryLatencyMs, boolean databaseDown)
            implements TimelineEntry {
    }

    /** Courier started, or restarted while this incident was open. */
    @JsonTypeName("restart")
    record Restart(Instant at, String summary) implements TimelineEntry {
    }

    /**
     * The incident was resolved: by Courier when its last alert cleared ({@code by} null, and absent from the stored
     * row, as rows were written before people could resolve), or by a person closing it, with their summary.
     */
    @JsonTypeName("resolved")
    record IncidentResolved(Instant at, String summary, Impact impact, Map<String, Integer> reclaimsByCallSite,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String by) implements TimelineEntry {

        public IncidentResolved {
            reclaimsByCallSite = Map.copyOf(reclaimsByCallSite);
        }

        /** Courier's own resolution: the last alert cleared. */
        public IncidentResolved(Instant at, String summary, Impact impact, Map<String, Integer> reclaimsByCallSite) {
            this(at, summary, impact, reclaimsByCallSite, null);
        }

        public boolean byPerson() {
            return by != null;
        }
    }

    /** An entry a person wrote; {@code by} names them, {@code summary} is their text. */
    sealed interface ByPerson extends TimelineEntry permits Acknowledged, Note, Action, StatusUpdate {
        String by();
    }

    /** A person took the incident: they are the one working it now. */
    @JsonTypeName("acknowledged")
    record Acknowledged(Instant at, String summary, String by) implements ByPerson {
    }

    /** Something a person found or thought, for the record. */
    @JsonTypeName("note")
    record Note(Instant at, String summary, String by) implements ByPerson {
    }

    /** Something a person did to the system (restarted a node, rolled back a release). */
    @JsonTypeName("action")
    record Action(Instant at, String summary, String by) implements ByPerson {
    }

    /** A status for everyone following the incident; also posted to the alert webhooks. */
    @JsonTypeName("status")
    record StatusUpdate(Instant at, String summary, String by) implements ByPerson {
    }

    /**
     * A stored row that none of the records above reads: a kind this version does not know (written by a newer
     * one, or retired), or evidence not in its kind's shape. Kept as stored, so that it is shown as it was written.
     */
    record Unknown(Instant at, String kind, String summary, JsonNode data) implements TimelineEntry {
    }

    /**
     * An entry a request caused (a fault switched through the admin API, say), with the W3C trace id of that
     * request: the row shows {@code traceId} beside its kind, and the entry itself is the inner one.
     */
    record Traced(TimelineEntry entry, String traceId) implements TimelineEntry {

        public Traced {
            if (entry instanceof Traced) {
                throw new IllegalArgumentException("an entry has one trace");
            }
        }

        /** {@code entry}, traced when a request is being handled on this thread ({@link TraceContext#current()}). */
        public static TimelineEntry ofCurrentRequest(TimelineEntry entry) {
            String traceId = TraceContext.current();
            return traceId == null ? entry : new Traced(entry, traceId);
        }

        /** The entry without its trace. */
        public static TimelineEntry untraced(TimelineEntry entry) {
            return entry instanceof Traced traced ? traced.entry() : entry;
        }

        @Override
        public Instant at() {
            return entry.at();
        }

        @Override
        public String summary() {
            return entry.summary();
        }
    }
}
