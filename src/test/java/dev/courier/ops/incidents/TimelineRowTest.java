package dev.courier.ops.incidents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.ops.alerts.Severity;
import dev.courier.ops.incidents.TimelineEntry.Acknowledged;
import dev.courier.ops.incidents.TimelineEntry.Action;
import dev.courier.ops.incidents.TimelineEntry.AlertFiring;
import dev.courier.ops.incidents.TimelineEntry.AlertResolved;
import dev.courier.ops.incidents.TimelineEntry.DatabaseReachable;
import dev.courier.ops.incidents.TimelineEntry.DatabaseUnreachable;
import dev.courier.ops.incidents.TimelineEntry.FaultSwitch;
import dev.courier.ops.incidents.TimelineEntry.IncidentResolved;
import dev.courier.ops.incidents.TimelineEntry.LeakCallSite;
import dev.courier.ops.incidents.TimelineEntry.LeakReclaimed;
import dev.courier.ops.incidents.TimelineEntry.Note;
import dev.courier.ops.incidents.TimelineEntry.PoolSnapshot;
import dev.courier.ops.incidents.TimelineEntry.Restart;
import dev.courier.ops.incidents.TimelineEntry.SlowHold;
import dev.courier.ops.incidents.TimelineEntry.StatusUpdate;
import dev.courier.ops.incidents.TimelineEntry.Unknown;
import dev.courier.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A timeline entry becomes the row {@code incident_events} stores and the admin API shows, and reads back from it. */
class TimelineRowTest {

    private static final Instant AT = Instant.parse("2025-03-01T10:00:01.500Z");

    /** One entry of every kind, as the recorder writes them. */
    private static final List<TimelineEntry> ONE_OF_EACH = List.of(
            new AlertFiring(AT, "CourierLeakSuspected: connections held past the leak threshold at messages.export",
                    "CourierLeakSuspected", Severity.critical, Map.of("call_site", "messages.export"),
                    "docs/runbooks/CourierLeakSuspected.md"),
            new AlertResolved(AT, "CourierLeakSuspected resolved after 75 s", "CourierLeakSuspected",
                    Instant.parse("2025-03-01T09:58:46.500Z")),
            new PoolSnapshot(AT, "pool: 8 active, 0 idle, 3 waiting, max 8", 8, 0, 3, 8,
                    List.of(new PoolSnapshot.Holder("messages.export", 6, 31_250)), true),
            new SlowHold(AT, "messages.send held a connection for 1500 ms on thread worker-3 while waiting for cpu: "
                    + "saturation, not a leak", "messages.send", "worker-3", 1_500, "cpu"),
            new LeakCallSite(AT, "messages.export held a connection for 31250 ms on thread worker-7", "messages.export",
                    "worker-7", 31_250, Instant.parse("2025-03-01T09:59:30.250Z"),
                    List.of("dev.courier.messages.ExportService.export(ExportService.java:42)")),
            new LeakReclaimed(AT, "reclaimed a connection held 60000 ms by messages.export (held past the reclaim "
                    + "limit)", "messages.export", "worker-7", 60_000, "held past the reclaim limit"),
            new DatabaseUnreachable(AT, "PostgreSQL unreachable: Connection refused", "Connection refused"),
            new DatabaseReachable(AT, "PostgreSQL answers again"),
            new FaultSwitch(AT, "fault injection changed from Faults[leakRate=0.0, queryLatencyMs=0, "
                    + "databaseDown=false] to Faults[leakRate=0.25, queryLatencyMs=1000, databaseDown=true]",
                    0.25, 1_000, true),
            new Restart(AT, "Courier restarted while this incident was open"),
            new IncidentResolved(AT, "all alerts cleared; incident resolved", Impact.of(75, 1_200, 87, 40, 12),
                    Map.of("messages.export", 2)),
            new Acknowledged(AT, "ana acknowledged the incident", "ana"),
            new Note(AT, "the pool shows six leases held by messages.export", "ana"),
            new Action(AT, "paused the nightly export", "ben"),
            new StatusUpdate(AT, "exports paused; sends recovering", "ana"),
            new IncidentResolved(AT, "export fixed and redeployed", Impact.of(75, 1_200, 87, 40, 12), Map.of(), "ben"),
            new Unknown(AT, "retro_meeting", "ana: booked the review", json("{\"by\": \"ana\", \"room\": 4}")),
            new TimelineEntry.Traced(new Note(AT, "looking at the pool", "ana"), "4bf92f3577b34da6a3ce929d0e0e4736"));

    /** Every record an entry can be, through the sealed interfaces between them and {@link TimelineEntry}. */
    private static Stream<Class<?>> recordsOf(Class<?> sealed) {
        return Arrays.stream(sealed.getPermittedSubclasses())
                .flatMap(type -> type.isInterface() ? recordsOf(type) : Stream.of(type));
    }

    @Test
    void theSamplesCoverEveryKind() {
        assertThat(ONE_OF_EACH.stream().<Class<?>>map(Object::getClass).distinct())
                .containsExactlyInAnyOrder(recordsOf(TimelineEntry.class).toArray(Class<?>[]::new));
    }

    @Test
    void everyKindReadsBackFromItsStoredRowAsTheRecordItWasWrittenFrom() {
        for (TimelineEntry entry : ONE_OF_EACH) {
            TimelineRow row = TimelineRow.of(entry);

            assertThat(stored(row).entry()).as(row.kind()).isEqualTo(entry);
        }
    }

    @Test
    void eachKindIsStoredUnderItsOwnName() {
        assertThat(ONE_OF_EACH.stream().map(e -> TimelineRow.of(e).kind())).containsExactly("alert_firing",
                "alert_resolved", "pool_snapshot", "slow_hold", "leak_call_site", "leak_reclaimed",
                "database_unreachable", "database_reachable", "fault_switch", "restart", "resolved", "acknowledged", "note",
                "action", "status", "resolved", "retro_meeting", "note");
    }

    /**
     * Rows as Courier wrote them before the timeline was typed, when each entry's data was a map built by hand (the
     * text as PostgreSQL's jsonb gives it back): each reads back as its record, and that record writes the same data.
     */
    static Stream<Arguments> rowsWrittenBeforeTheTimelineWasTyped() {
        return Stream.of(
                Arguments.of("alert_firing", """
                        {"alert": "CourierLeakSuspected", "labels": {"call_site": "messages.export"}, \
                        "runbook": "docs/runbooks/CourierLeakSuspected.md", "severity": "critical"}""",
                        new AlertFiring(AT, "summary", "CourierLeakSuspected", Severity.critical,
                                Map.of("call_site", "messages.export"), "docs/runbooks/CourierLeakSuspected.md")),
                Arguments.of("alert_resolved", """
                        {"alert": "CourierLeakSuspected", "firedAt": "2025-03-01T09:58:46.500Z"}""",
                        new AlertResolved(AT, "summary", "CourierLeakSuspected",
                                Instant.parse("2025-03-01T09:58:46.500Z"))),
                Arguments.of("pool_snapshot", """
                        {"max": 8, "idle": 0, "active": 8, "holders": [{"leases": 6, "callSite": "messages.export", \
                        "longestHeldMs": 31250}], "pending": 3, "databaseReachable": true}""",
                        new PoolSnapshot(AT, "summary", 8, 0, 3, 8,
                                List.of(new PoolSnapshot.Holder("messages.export", 6, 31_250)), true)),
                Arguments.of("slow_hold", """
                        {"cause": "database", "heldMs": 1200, "thread": "worker-5", \
                        "callSite": "conversations.list"}""",
                        new SlowHold(AT, "summary", "conversations.list", "worker-5", 1_200, "database")),
                Arguments.of("leak_call_site", """
                        {"stack": ["dev.courier.messages.ExportService.export(ExportService.java:42)"], \
                        "heldMs": 31250, "thread": "worker-7", "callSite": "messages.export", \
                        "borrowedAt": "2025-03-01T09:59:30.250Z"}""",
                        new LeakCallSite(AT, "summary", "messages.export", "worker-7", 31_250,
                                Instant.parse("2025-03-01T09:59:30.250Z"),
                                List.of("dev.courier.messages.ExportService.export(ExportService.java:42)"))),
                Arguments.of("leak_reclaimed", """
                        {"heldMs": 60000, "reason": "held past the reclaim limit", "thread": "worker-7", \
                        "callSite": "messages.export"}""",
                        new LeakReclaimed(AT, "summary", "messages.export", "worker-7", 60_000,
                                "held past the reclaim limit")),
                Arguments.of("database_unreachable", """
                        {"detail": "Connection refused"}""",
                        new DatabaseUnreachable(AT, "summary", "Connection refused")),
                Arguments.of("database_reachable", "{}", new DatabaseReachable(AT, "summary")),
                Arguments.of("fault_switch", """
                        {"leakRate": 0.25, "databaseDown": true, "queryLatencyMs": 1000}""",
                        new FaultSwitch(AT, "summary", 0.25, 1_000, true)),
                Arguments.of("restart", "{}", new Restart(AT, "summary")),
                Arguments.of("resolved", """
                        {"impact": {"requests": 1200, "activeUsers": 40, "affectedUsers": 12, "failedRequests": 87, \
                        "durationSeconds": 75, "affectedUserShare": 0.3}, \
                        "reclaimsByCallSite": {"messages.export": 2}}""",
                        new IncidentResolved(AT, "summary", Impact.of(75, 1_200, 87, 40, 12),
                                Map.of("messages.export", 2))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rowsWrittenBeforeTheTimelineWasTyped")
    void aRowWrittenBeforeTheTimelineWasTypedReadsBackAsItsRecord(String kind, String data, TimelineEntry expected) {
        TimelineRow row = new TimelineRow(AT, kind, "summary", json(data));

        assertThat(row.entry()).isEqualTo(expected);
        assertThat(json(Json.write(TimelineRow.of(expected).data()))).isEqualTo(json(data));
    }

    /** People's entries came after the timeline was typed: no untyped row of theirs exists. */
    @Test
    void everyKindHasARowWrittenBeforeTheTimelineWasTyped() {
        assertThat(rowsWrittenBeforeTheTimelineWasTyped().<Class<?>>map(a -> a.get()[2].getClass()))
                .containsExactlyInAnyOrder(Arrays.stream(TimelineEntry.class.getPermittedSubclasses())
                        // a trace was never stored before the timeline was typed
                        .filter(type -> type != Unknown.class && type != TimelineEntry.ByPerson.class
                                && type != TimelineEntry.Traced.class)
                        .toArray(Class<?>[]::new));
    }

    @Test
    void aResolutionByAPersonNamesThemAndCouriersOwnNamesNobody() {
        TimelineRow byPerson = TimelineRow.of(new IncidentResolved(AT, "fixed", Impact.of(1, 2, 0, 1, 0), Map.of(),
                "ben"));
        TimelineRow byCourier = TimelineRow.of(new IncidentResolved(AT, "all alerts cleared; incident resolved",
                Impact.of(1, 2, 0, 1, 0), Map.of()));

        assertThat(byPerson.data().path("by").asText()).isEqualTo("ben");
        assertThat(byCourier.data().has("by")).isFalse();
        assertThat(((IncidentResolved) stored(byCourier).entry()).byPerson()).isFalse();
    }

    @Test
    void aKindThisVersionDoesNotKnowIsKeptAsStored() {
        TimelineRow row = new TimelineRow(AT, "retro_meeting", "ana: looking at the pool",
                json("{\"by\": \"ana\", \"links\": [1, 2.5, null, {\"nested\": true}]}"));

        TimelineEntry entry = row.entry();

        assertThat(entry).isEqualTo(new Unknown(AT, "retro_meeting", "ana: looking at the pool", row.data()));
        assertThat(TimelineRow.of(entry)).isEqualTo(row);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // no thread
            "{\"stack\": [], \"heldMs\": 31250, \"callSite\": \"messages.export\", "
                    + "\"borrowedAt\": \"2025-03-01T09:59:30.250Z\"}",
            // a field the record does not have
            "{\"stack\": [], \"heldMs\": 31250, \"thread\": \"worker-7\", \"callSite\": \"messages.export\", "
                    + "\"borrowedAt\": \"2025-03-01T09:59:30.250Z\", \"pid\": 4242}",
            // a hold that is not a number
            "{\"stack\": [], \"heldMs\": \"long\", \"thread\": \"worker-7\", \"callSite\": \"messages.export\", "
                    + "\"borrowedAt\": \"2025-03-01T09:59:30.250Z\"}",
            // not an object
            "[\"messages.export\"]"})
    void evidenceNotInItsKindsShapeIsKeptAsStoredRatherThanGuessedAt(String data) {
        TimelineRow row = new TimelineRow(AT, "leak_call_site", "summary", json(data));

        assertThat(row.entry()).isEqualTo(new Unknown(AT, "leak_call_site", "summary", row.data()));
        assertThat(TimelineRow.of(row.entry())).isEqualTo(row);
    }

    @Test
    void anIncidentShowsItsTimelineAsRowsWithTheKindNamedOnce() {
        Incident incident = new Incident(7, "title", Incident.RESOLVED, AT, AT, Impact.of(0, 0, 0, 0, 0), 0, null,
                List.of(new DatabaseUnreachable(AT, "PostgreSQL unreachable: Connection refused",
                        "Connection refused")));

        String shown = Json.write(incident);

        assertThat(shown).contains("\"timeline\":[{\"at\":\"2025-03-01T10:00:01.500Z\","
                + "\"kind\":\"database_unreachable\",\"summary\":\"PostgreSQL unreachable: Connection refused\","
                + "\"data\":{\"detail\":\"Connection refused\"}}]");
    }

    @Test
    void anEntryARequestCausedShowsTheRequestsTraceIdBesideItsKind() {
        TimelineEntry traced = new TimelineEntry.Traced(new Note(AT, "looking at the pool", "ana"),
                "4bf92f3577b34da6a3ce929d0e0e4736");
        Incident incident = new Incident(7, "title", Incident.OPEN, AT, null, Impact.of(0, 0, 0, 0, 0), 0, null,
                List.of(traced));

        assertThat(Json.write(incident)).contains("\"kind\":\"note\",\"summary\":\"looking at the pool\","
                + "\"data\":{\"by\":\"ana\"},\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}");
        assertThat(Postmortem.markdown(incident)).contains("**note** (ana) — looking at the pool (trace "
                + "`4bf92f3577b34da6a3ce929d0e0e4736`)");
    }

    /** The row as it comes back from {@code incident_events}: its data through JSON text, as jsonb holds it. */
    private static TimelineRow stored(TimelineRow row) {
        return new TimelineRow(row.at(), row.kind(), row.summary(), json(Json.write(row.storedData())));
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
