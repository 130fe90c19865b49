package dev.courier.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.PresenceConfig;
import dev.courier.config.RateLimitConfig;
import dev.courier.config.SecurityConfig;
import dev.courier.loadtest.generator.LoadRun;
import dev.courier.loadtest.judge.LoadJudge;
import dev.courier.loadtest.report.IntegrityReport;
import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import dev.courier.loadtest.report.ReportFiles;
import dev.courier.testing.TestServer;
import dev.courier.web.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A short steady run against a real server: every acknowledged message is in history exactly once and in
 * order, and the reports are written. Where the server offers {@code /v1/stream}, deliveries are checked too;
 * where it does not, the report must say so and must not pass.
 */
class LoadtestEndToEndTest {

    @Test
    void aShortSteadyRunLosesNothingAndWritesBothReports(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start()) {
            Path json = dir.resolve("report.json");
            Path html = dir.resolve("report.html");
            LoadOptions options = steady(server, Transport.REST, 25, 4, 0.5, 3, LoadOptions.BusyGroup.NONE, dir);
            ByteArrayOutputStream progress = new ByteArrayOutputStream();

            LoadReport report = run(options, new PrintStream(progress, true, StandardCharsets.UTF_8));
            ReportFiles.writeJson(report, json);
            ReportFiles.writeHtml(report, html);

            assertThat(report.attempted()).isBetween(90L, 101L);
            assertThat(report.acked()).isEqualTo(report.attempted());
            assertThat(report.errors()).isEmpty();
            assertThat(report.integrity().acked()).isEqualTo(report.acked());
            assertThat(report.integrity().lost()).isZero();
            assertThat(report.integrity().duplicated()).isZero();
            assertThat(report.integrity().outOfOrder()).isZero();
            assertThat(report.integrity().historyGaps()).isZero();
            assertThat(report.sendToAck().count()).isEqualTo(report.acked());
            assertThat(report.timeline()).hasSizeGreaterThanOrEqualTo(4);
            assertThat(progress.toString(StandardCharsets.UTF_8)).contains("t=  1s", "lost=");
            assertThat(report.timeline()).as("the pool read from the server's filtered /metrics")
                    .anyMatch(i -> i.pool() != null && i.pool().max() > 0 && i.pool().active() >= 0);
            assertThat(report.generator().pacerLateness().count()).as("every send's hand-off is timed")
                    .isEqualTo(report.attempted());
            assertThat(report.timeline()).allMatch(i -> i.generator() != null);

            if (report.delivery().measured()) {
                assertThat(report.integrity().deliveryChecked()).isTrue();
                assertThat(report.sendToDelivered().count()).isPositive();
                assertThat(report.verdict()).isEqualTo("pass");
                assertThat(report.exitCode()).isZero();
            } else {
                assertThat(report.delivery().reason()).contains("/v1/stream");
                assertThat(report.verdict()).isEqualTo("incomplete");
                assertThat(report.exitCode()).isEqualTo(3);
                assertThat(report.failures()).anyMatch(f -> f.startsWith("delivery not measured"));
            }

            JsonNode written = Json.mapper().readTree(Files.readString(json));
            assertThat(written.path("integrity").path("lost").asLong(-1)).isZero();
            assertThat(written.path("acked").asLong()).isEqualTo(report.acked());
            assertThat(written.path("timeline").size()).isEqualTo(report.timeline().size());
            assertThat(written.path("verdict").asText()).isEqualTo(report.verdict());
            assertThat(written.path("generator").path("pacerLateness").path("count").asLong())
                    .isEqualTo(report.attempted());
            String page = Files.readString(html);
            assertThat(page).startsWith("<!doctype html>").contains("<svg", "Throughput", "connection pool", "Load generator")
                    .doesNotContain("<script src", "http://cdn", "https://");
        }
    }

    @Test
    void aShortSocketRunIsAcknowledgedAndDeliveredOverTheStreamsExactlyOnce(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start()) {
            LoadOptions options = steady(server, Transport.SOCKET, 25, 3, 0.5, 3, LoadOptions.BusyGroup.NONE, dir);

            LoadReport report = run(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

            assertThat(report.attempted()).isBetween(65L, 76L);
            assertThat(report.acked()).isEqualTo(report.attempted());
            assertThat(report.errors()).isEmpty();
            assertThat(report.sendToAck().count()).isEqualTo(report.acked());
            assertThat(report.delivery().measured()).isTrue();
            assertThat(report.integrity().deliveryChecked()).isTrue();
            assertThat(report.integrity().acked()).isEqualTo(report.acked());
            assertThat(report.integrity().lost()).isZero();
            assertThat(report.integrity().duplicated()).isZero();
            assertThat(report.integrity().outOfOrder()).isZero();
            assertThat(report.integrity().historyGaps()).isZero();
            assertThat(report.sendToDelivered().count()).as("each message reaches its other members")
                    .isGreaterThanOrEqualTo(report.acked());
            LatencySummary fromSent = report.generator().sentToDelivered();
            assertThat(fromSent.count()).isEqualTo(report.sendToDelivered().count());
            assertThat(report.opening().sends()).as("a run of fewer than 100 sends is all opening")
                    .isEqualTo(report.attempted());
            assertThat(report.opening().sendToDelivered().count()).isEqualTo(report.sendToDelivered().count());
            assertThat(fromSent.max()).as("counted from the actual send, never from before the intended time")
                    .isLessThanOrEqualTo(report.sendToDelivered().max());
            assertThat(report.verdict()).isEqualTo("pass");
        }
    }

    @Test
    void aSocketRunWithoutEchoCountsEachAckAsTheSendersCopyAndFindsNothingLost(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start()) {
            LoadOptions options = steady(server, Transport.SOCKET, 25, 3, 0.5, 3, LoadOptions.BusyGroup.NONE, dir)
                    .withEcho(false);

            LoadReport report = run(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

            assertThat(report.acked()).isPositive().isEqualTo(report.attempted());
            assertThat(report.integrity().deliveryChecked()).isTrue();
            assertThat(report.integrity().lost()).as("the senders' streams are owed their acks only").isZero();
            assertThat(report.integrity().duplicated()).isZero();
            assertThat(report.integrity().outOfOrder()).isZero();
            assertThat(report.sendToDelivered().count()).as("each message reaches its other members")
                    .isGreaterThanOrEqualTo(report.acked());
            assertThat(report.verdict()).isEqualTo("pass");
        }
    }

    @Test
    void aRunWithEditsAndReactionsMakesThemInItsSharesAndEveryChangeReachesEveryStreamOnceInOrder(@TempDir Path dir)
            throws Exception {
        try (TestServer server = TestServer.start()) {
            Path json = dir.resolve("report.json");
            Path html = dir.resolve("report.html");
            LoadOptions options = steady(server, Transport.SOCKET, 40, 4, 0.5, 3, LoadOptions.BusyGroup.NONE,
                    new LoadOptions.ChangeMix(0.1, 0.15), dir);

            LoadReport report = run(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            ReportFiles.writeJson(report, json);
            ReportFiles.writeHtml(report, html);

            LoadReport.Changes changes = report.changes();
            assertThat(changes).isNotNull();
            long arrivals = report.attempted() + changes.attempted();
            assertThat(arrivals).isBetween(150L, 161L);
            // the first arrivals of a conversation find nothing to change yet, and send instead
            assertThat(changes.edits()).isBetween(arrivals / 10 - 8, arrivals / 10);
            assertThat(changes.reactions()).isBetween(arrivals * 15 / 100 - 12, arrivals * 15 / 100);
            assertThat(changes.acked()).isEqualTo(changes.attempted());
            assertThat(changes.errors()).isEmpty();
            assertThat(changes.changeToAck().count()).isEqualTo(changes.acked());
            assertThat(report.acked()).isEqualTo(report.attempted());

            IntegrityReport.Changes delivered = report.integrity().changes();
            assertThat(delivered).isNotNull();
            assertThat(delivered.committed()).as("every acknowledged change was one").isEqualTo(changes.acked());
            assertThat(delivered.lost()).isZero();
            assertThat(delivered.duplicated()).isZero();
            assertThat(delivered.outOfOrder()).isZero();
            assertThat(report.integrity().lost()).isZero();
            assertThat(report.verdict()).isEqualTo("pass");

            JsonNode written = Json.mapper().readTree(Files.readString(json));
            assertThat(written.path("changes").path("acked").asLong()).isEqualTo(changes.acked());
            assertThat(written.path("integrity").path("changes").path("committed").asLong())
                    .isEqualTo(delivered.committed());
            assertThat(Files.readString(html)).contains("Edits and reactions", "changes committed");
        }
    }

    @Test
    void aBusyGroupsFiguresAreReportedApartFromTheOtherConversations(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start()) {
            Path json = dir.resolve("report.json");
            Path html = dir.resolve("report.html");
            LoadOptions options = steady(server, Transport.SOCKET, 24, 3, 0, 2, new LoadOptions.BusyGroup(0.5, 4), dir);

            LoadReport report = run(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            ReportFiles.writeJson(report, json);
            ReportFiles.writeHtml(report, html);

            LoadReport.BusyGroup busy = report.busyGroup();
            assertThat(busy).isNotNull();
            assertThat(report.conversations()).as("three direct pairs and the busy group").isEqualTo(4);
            assertThat(busy.busy().acked() + busy.others().acked()).isEqualTo(report.acked());
            assertThat(busy.busy().acked()).isBetween(report.acked() / 2 - 1, report.acked() / 2 + 1);
            assertThat(busy.busy().sendToDelivered().count()).as("each busy message reaches its 3 other members")
                    .isEqualTo(3 * busy.busy().acked());
            assertThat(busy.others().sendToDelivered().count()).isEqualTo(busy.others().acked());
            assertThat(report.integrity().lost()).isZero();
            assertThat(report.integrity().duplicated()).isZero();
            assertThat(report.integrity().outOfOrder()).isZero();
            assertThat(report.verdict()).isEqualTo("pass");

            JsonNode written = Json.mapper().readTree(Files.readString(json));
            assertThat(written.path("busyGroup").path("others").path("sendToDelivered").path("count").asLong())
                    .isEqualTo(busy.others().sendToDelivered().count());
            assertThat(Files.readString(html)).contains("Busy group", "other conversations");
        }
    }

    /**
     * Each user may store two messages, so most sends are refused with {@code 429 rate_limited}: over REST with
     * {@code Retry-After}, over the socket as an error frame with {@code retryAfter}. Every refusal is counted and
     * timed, none is retried, and none counts as lost: only acknowledged messages are owed.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void refusedSendsAreTimedAndCountedButNeverRetriedNorLost(Transport transport, @TempDir Path dir)
            throws Exception {
        try (TestServer server = TestServer.start(cfg -> cfg.withSecurity(SecurityConfig.defaults()
                .withRateLimits(RateLimitConfig.parse("accounts=off,sessions=off,writes=off,messages=2/1h"))))) {
            LoadOptions options = steady(server, transport, 25, 3, 0.5, 3, LoadOptions.BusyGroup.NONE, dir);

            LoadReport report = run(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            ReportFiles.writeJson(report, dir.resolve("report.json"));
            ReportFiles.writeHtml(report, dir.resolve("report.html"));

            String kind = transport == Transport.REST ? "429 rate_limited" : "stream rate_limited";
            LoadReport.Refusals refusals = report.refusals();
            assertThat(report.acked()).as("two per user at most").isBetween(1L, 12L);
            assertThat(report.errors()).containsOnlyKeys(kind);
            assertThat(refusals.count()).isEqualTo(report.errors().get(kind)).isEqualTo(report.failed());
            assertThat(report.acked() + refusals.count()).as("each send answered once, none sent again")
                    .isEqualTo(report.attempted());
            assertThat(refusals.withoutRetryAfter()).isZero();
            assertThat(refusals.sendToRefusal().count()).isEqualTo(refusals.count());
            assertThat(refusals.sentToRefusal().count()).isEqualTo(refusals.count());
            assertThat(refusals.sentToRefusal().max()).as("from the actual send, never before the intended time")
                    .isLessThanOrEqualTo(refusals.sendToRefusal().max());
            assertThat(refusals.perSecond()).isPositive();
            assertThat(report.timeline().stream().mapToLong(i -> i.sendToRefusal().count()).sum())
                    .isEqualTo(refusals.count());
            assertThat(report.sendToAck().count()).isEqualTo(report.acked());
            assertThat(report.generator().sentToAck().count()).isEqualTo(report.acked());
            assertThat(report.integrity().acked()).isEqualTo(report.acked());
            assertThat(report.integrity().lost()).isZero();
            assertThat(report.integrity().duplicated()).isZero();
            assertThat(report.integrity().historyGaps()).isZero();
            assertThat(report.failures()).noneMatch(f -> f.startsWith("integrity"));

            JsonNode written = Json.mapper().readTree(Files.readString(dir.resolve("report.json")));
            assertThat(written.path("refusals").path("count").asLong()).isEqualTo(refusals.count());
            assertThat(written.path("refusals").path("sendToRefusal").path("p99").isNumber()).isTrue();
            assertThat(written.path("refusals").path("sentToRefusal").path("count").asLong())
                    .isEqualTo(refusals.count());
            assertThat(written.path("generator").path("sentToAck").path("count").asLong()).isEqualTo(report.acked());
            assertThat(written.path("timeline").get(0).has("sendToRefusal")).isTrue();
            assertThat(Files.readString(dir.resolve("report.html"))).contains("send → refusal");
        }
    }

    @Test
    void typingAndReconnectsBesideTheSendsAreCountedAndLoseNoMessage(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(cfg -> cfg.withStream(cfg.stream()
                .withPresence(new PresenceConfig(Duration.ofSeconds(1), Duration.ofSeconds(3)))))) {
            LoadOptions plain = steady(server, Transport.REST, 20, 8, 0.5, 3, LoadOptions.BusyGroup.NONE, dir);
            // 30 users, every one typing, and every one away for 2 s (beyond the 1 s grace) once a minute: a
            // reconnect every 2 s, each seen by the others as offline, then online
            LoadOptions options = new LoadOptions(plain.url(), false, plain.scenario(), plain.transport(), plain.rate(),
                    plain.duration(), plain.maxMessages(), 30, plain.groupShare(), plain.groupSize(),
                    plain.busyGroup(), plain.changes(), plain.sloP99(), plain.maxErrorRate(), plain.rampStep(), plain.rampFactor(),
                    plain.leakRate(), plain.adminToken(), plain.drain(), plain.jsonReport(), plain.htmlReport(),
                    new LoadOptions.Chatter(1.0, 1.0, Duration.ofSeconds(2), Duration.ZERO));

            LoadReport report = run(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            ReportFiles.writeJson(report, dir.resolve("report.json"));
            ReportFiles.writeHtml(report, dir.resolve("report.html"));

            assertThat(report.errors()).isEmpty();
            assertThat(report.integrity().intact()).as(report.integrity().toString()).isTrue();
            assertThat(report.integrity().connectionsClosedEarly()).isZero();
            LoadReport.Chatter chatter = report.chatter();
            // thirty typists, one frame each every 3 s, for 8 s
            assertThat(chatter.typingSent()).isBetween(60L, 100L);
            assertThat(chatter.typingReceived()).as("each reaches the typist's conversation partners")
                    .isGreaterThanOrEqualTo(chatter.typingSent() / 2);
            assertThat(chatter.reconnects()).isGreaterThanOrEqualTo(2);
            assertThat(chatter.reconnectFailures()).isZero();
            assertThat(chatter.presenceOffline()).as("someone saw a reconnecting user go").isPositive();
            assertThat(chatter.presenceOnline()).isPositive();
            JsonNode written = Json.mapper().readTree(Files.readString(dir.resolve("report.json")));
            assertThat(written.path("chatter").path("typingSent").asLong()).isEqualTo(chatter.typingSent());
            assertThat(Files.readString(dir.resolve("report.html"))).contains("Typing and reconnects");
        }
    }

    /** Runs and judges as {@code courier loadtest} does. */
    private static LoadReport run(LoadOptions options, PrintStream out) throws InterruptedException {
        LoadJudge judge = new LoadJudge(options);
        return judge.report(new LoadRun(options, out, judge).run());
    }

    /**
     * A steady run of 6 users with generous objectives: these tests pin correctness, not this machine's speed. The
     * reports go to {@code report.json} and {@code report.html} in {@code dir}.
     */
    private static LoadOptions steady(TestServer server, Transport transport, double rate, int seconds,
                                      double groupShare, int groupSize, LoadOptions.BusyGroup busyGroup, Path dir) {
        return steady(server, transport, rate, seconds, groupShare, groupSize, busyGroup, LoadOptions.ChangeMix.NONE,
                dir);
    }

    private static LoadOptions steady(TestServer server, Transport transport, double rate, int seconds,
                                      double groupShare, int groupSize, LoadOptions.BusyGroup busyGroup,
                                      LoadOptions.ChangeMix changes, Path dir) {
        return new LoadOptions(URI.create(server.baseUrl()), false, Scenario.STEADY, transport, rate,
                Duration.ofSeconds(seconds), 10_000, 6, groupShare, groupSize, busyGroup, changes, Duration.ofSeconds(5), 0.0,
                Duration.ofSeconds(10), 1.5, 0.2, Optional.empty(), Duration.ofSeconds(5),
                Optional.of(dir.resolve("report.json")), Optional.of(dir.resolve("report.html")));
    }
}
