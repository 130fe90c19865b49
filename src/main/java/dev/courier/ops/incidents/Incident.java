package dev.courier.ops.incidents;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
import java.util.List;

/**
 * An incident as the admin API shows it; {@code timeline} is left out of lists and filled for one incident, and shown
 * as the rows it is stored as. What people recorded on it ({@link Handling}) is shown beside what Courier measured.
 *
 * @param droppedEntries timeline entries lost because the buffer overflowed while the database was away
 */
public record Incident(long id, String title, String state, Instant openedAt, Instant resolvedAt, Impact impact,
                       int droppedEntries, @JsonUnwrapped Handling handling,
                       @JsonInclude(JsonInclude.Include.NON_NULL)
                       @JsonSerialize(contentUsing = TimelineRow.Writer.class) List<TimelineEntry> timeline) {

    public static final String OPEN = "open";
    public static final String RESOLVED = "resolved";

    /**
     * What people did with an incident: who acknowledged it, what they found and will change, who closed it.
     * Every field is null (the list empty) until someone sets it.
     *
     * @param resolvedBy        the person who closed the incident; null while only Courier resolved it (its
     *                          alerts cleared)
     * @param resolutionSummary what that person wrote when closing it
     */
    public record Handling(String acknowledgedBy, Instant acknowledgedAt, String rootCause, String lessons,
                           List<String> correctiveActions, String resolvedBy, String resolutionSummary) {

        public static final Handling NONE = new Handling(null, null, null, null, List.of(), null, null);

        public Handling {
            correctiveActions = List.copyOf(correctiveActions);
        }
    }

    public Incident {
        handling = handling == null ? Handling.NONE : handling;
    }

    public boolean open() {
        return OPEN.equals(state);
    }

    public Incident withTimeline(List<TimelineEntry> entries) {
        return new Incident(id, title, state, openedAt, resolvedAt, impact, droppedEntries, handling, entries);
    }
}
