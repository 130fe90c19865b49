package dev.courier.ops.incidents;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.courier.web.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A timeline entry as a row of {@code incident_events} and as the admin API shows it: {@code at}, {@code kind},
 * {@code summary} and {@code data}, the evidence, which holds the entry's record components other than {@code at}
 * and {@code summary}. The one translation between that shape and {@link TimelineEntry}.
 */
record TimelineRow(Instant at, String kind, String summary, JsonNode data,
                   @JsonInclude(JsonInclude.Include.NON_NULL) String traceId) {

    /** Where the trace id of a {@link TimelineEntry.Traced} entry is kept in the stored evidence. */
    static final String TRACE_ID = "traceId";

    TimelineRow(Instant at, String kind, String summary, JsonNode data) {
        this(at, kind, summary, data, null);
    }

    /*
     * Only a row whose data has exactly its record's fields reads back as that record, so that it shows again as it
     * was stored. The mapper already refuses a field the record does not have; this reader also refuses a row that
     * lacks one, which would otherwise read as null or zero.
     */
    private static final ObjectReader ENTRIES = Json.mapper().readerFor(TimelineEntry.class)
            .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    static TimelineRow of(TimelineEntry entry) {
        if (entry instanceof TimelineEntry.Traced traced) {
            TimelineRow row = of(traced.entry());
            return new TimelineRow(row.at, row.kind, row.summary, row.data, traced.traceId());
        }
        if (entry instanceof TimelineEntry.Unknown unknown) {
            return new TimelineRow(unknown.at(), unknown.kind(), unknown.summary(), unknown.data());
        }
        // Jackson writes an entry flat, its kind, at and summary beside the evidence
        ObjectNode data = Json.mapper().valueToTree(entry);
        data.remove(List.of("kind", "at", "summary"));
        return new TimelineRow(entry.at(), kindOf(entry), entry.summary(), data);
    }

    /** The name a kind is stored and shown under: its record's {@link JsonTypeName}, or an unknown row's own. */
    static String kindOf(TimelineEntry entry) {
        if (entry instanceof TimelineEntry.Traced traced) {
            return kindOf(traced.entry());
        }
        return entry instanceof TimelineEntry.Unknown unknown ? unknown.kind()
                : entry.getClass().getAnnotation(JsonTypeName.class).value();
    }

    /**
     * Fields a kind gained after rows of it were stored, which those rows lack and which read as null: a resolution
     * names the person who closed the incident, and Courier's own resolutions, old and new, name nobody.
     */
    private static final Map<String, List<String>> ADDED_LATER = Map.of("resolved", List.of("by"));

    /** The entry this row records, or {@link TimelineEntry.Unknown} holding the row as it is if no record reads it. */
    TimelineEntry entry() {
        if (data instanceof ObjectNode stored && stored.path(TRACE_ID).isTextual()) {
            ObjectNode evidence = stored.deepCopy();
            String trace = evidence.remove(TRACE_ID).asText();
            return new TimelineEntry.Traced(new TimelineRow(at, kind, summary, evidence).entry(), trace);
        }
        if (data instanceof ObjectNode evidence) {
            ObjectNode fields = evidence.deepCopy().put("kind", kind).put("at", at.toString()).put("summary", summary);
            for (String added : ADDED_LATER.getOrDefault(kind, List.of())) {
                if (!fields.has(added)) {
                    fields.putNull(added);
                }
            }
            try {
                return ENTRIES.readValue(fields);
            } catch (IOException e) {
                // an unknown kind, or evidence not in its kind's shape: shown as stored, and the postmortem skips it
            }
        }
        return new TimelineEntry.Unknown(at, kind, summary, data);
    }

    /** The evidence as stored: the data, and the trace id when the entry has one. */
    JsonNode storedData() {
        if (traceId == null || !(data instanceof ObjectNode evidence)) {
            return data;
        }
        return evidence.deepCopy().put(TRACE_ID, traceId);
    }

    /** Shows an incident's timeline as rows. */
    static final class Writer extends StdSerializer<TimelineEntry> {

        Writer() {
            super(TimelineEntry.class);
        }

        @Override
        public void serialize(TimelineEntry entry, JsonGenerator json, SerializerProvider provider)
                throws IOException {
            provider.defaultSerializeValue(of(entry), json);
        }

        /** A row names its kind itself: Jackson's own type id would name it a second time. */
        @Override
        public void serializeWithType(TimelineEntry entry, JsonGenerator json, SerializerProvider provider,
                                      TypeSerializer types) throws IOException {
            serialize(entry, json, provider);
        }
    }
}
