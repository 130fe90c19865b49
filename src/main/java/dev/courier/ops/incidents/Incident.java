package dev.courier.ops.incidents;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
import java.util.List;

/**
 * An incident as the admin API shows it; {@code timeline} is left out of lists and filled for one incident, and shown
 * as the rows it is stored as.
 *
 * @param droppedEntries timeline entries lost because the buffer overflowed while the database was away
 */
public record Incident(long id, String title, String state, Instant openedAt, Instant resolvedAt, Impact impact,
                       int droppedEntries,
                       @JsonInclude(JsonInclude.Include.NON_NULL)
                       @JsonSerialize(contentUsing = TimelineRow.Writer.class) List<TimelineEntry> timeline) {

    public static final String OPEN = "open";
    public static final String RESOLVED = "resolved";

    public Incident withTimeline(List<TimelineEntry> entries) {
        return new Incident(id, title, state, openedAt, resolvedAt, impact, droppedEntries, entries);
    }
}
