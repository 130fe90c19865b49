package dev.courier.loadtest.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.Scenario;
import dev.courier.loadtest.Transport;
import dev.courier.loadtest.report.DrillVerdict;
import dev.courier.loadtest.report.LoadReport;
import dev.courier.loadtest.report.ReportFiles;
import dev.courier.loadtest.report.ReportSummary;
import dev.courier.loadtest.report.SoakReport;
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

/**
 * A soak in miniature against a real server: 45 s over the socket, a fifth of the arrivals edits and reactions over
 * REST (what the leak drill leaks from), with a 3 s drill every 15 s. Its drills run in turn
 * and are judged one by one, the server's resources are sampled from {@code /metrics} and judged, and both reports
 * carry them. Whether each drill held is this machine's business; that each is judged and listed is the soak's.
 */
class SoakEndToEndTest {

    @Test
    void aShortSoakDrillsInTurnJudgesEachDrillAndTheServersResourcesAndReportsThem(@TempDir Path dir)
            throws Exception {
        try (TestServer server = TestServer.start(config -> config.withFaultInjection(true))) {
            LoadOptions options = new LoadOptions(URI.create(server.baseUrl()), false, Scenario.SOAK,
                    Transport.SOCKET, 20, Duration.ofSeconds(45), 10_000, 6, 0.5, 3, LoadOptions.BusyGroup.NONE,
                    new LoadOptions.ChangeMix(0.1, 0.1), Duration.ofSeconds(5), 0.5, Duration.ofSeconds(10), 1.5, 0.2, Optional.of(TestServer.ADMIN_TOKEN),
                    Duration.ofSeconds(5), Optional.of(dir.resolve("report.json")),
                    Optional.of(dir.resolve("report.html")))
                    .withSoak(new LoadOptions.Soak(Duration.ofSeconds(15), Duration.ofSeconds(3)));
            ByteArrayOutputStream console = new ByteArrayOutputStream();

            LoadReport report = Soak.run(options, new PrintStream(console, true, StandardCharsets.UTF_8));
            ReportFiles.writeJson(report, dir.resolve("report.json"));
            ReportFiles.writeHtml(report, dir.resolve("report.html"));

            assertThat(report.faults()).as("two drills, each switched on and off").hasSize(4)
                    .allMatch(f -> f.status() == 200);
            SoakReport soak = report.soak();
            assertThat(soak.drills()).extracting(DrillVerdict::drill).containsExactly("leak #1", "db-outage #2");
            assertThat(soak.drills().get(0).faultOnAt()).isBetween(15.0, 17.0);
            assertThat(soak.drills().get(1).faultOnAt()).isBetween(30.0, 32.0);
            assertThat(soak.drills()).allMatch(d -> d.held() == d.reasons().isEmpty());
            soak.drills().stream().filter(d -> !d.held()).forEach(d -> assertThat(report.failures())
                    .anyMatch(f -> f.startsWith("drill " + d.drill() + " at ")));

            assertThat(soak.resources()).hasSizeGreaterThanOrEqualTo(15);
            assertThat(soak.resources()).as("every gauge the soak watches is exported")
                    .allMatch(s -> s.heapUsedBytes() > 0 && s.residentBytes() > 0 && s.liveThreads() > 0
                            && s.openFiles() > 0 && s.poolIdle() >= 0 && s.leasesLeaking() >= 0);
            SoakReport.Flatness flatness = soak.flatness();
            assertThat(flatness.baselineFromSecond()).as("a sixth of the run").isCloseTo(7.5, within(0.2));
            assertThat(flatness.figures()).hasSize(8).noneMatch(f -> f.verdict().startsWith("not judged"));
            flatness.figures().stream().filter(SoakReport.Figure::failed).forEach(f -> assertThat(report.failures())
                    .anyMatch(reason -> reason.startsWith(f.name() + " " + f.verdict())));

            assertThat(report.integrity().lost()).isZero();
            assertThat(report.integrity().duplicated()).isZero();
            assertThat(report.integrity().outOfOrder()).isZero();
            assertThat(report.objectives().window()).isEqualTo("outside the drills and 5 s after each");
            assertThat(report.exitCode()).isIn(0, 1);
            assertThat(report.warnings()).doesNotContain(Soak.NOTHING_TO_LEAK);
            assertThat(report.integrity().changes().lost()).isZero();

            JsonNode written = Json.mapper().readTree(Files.readString(dir.resolve("report.json")));
            assertThat(written.path("soak").path("drills").size()).isEqualTo(2);
            assertThat(written.path("soak").path("resources").size()).isEqualTo(soak.resources().size());
            assertThat(written.path("soak").path("flatness").path("figures").get(0).path("name").asText())
                    .isEqualTo("heap used");
            assertThat(Files.readString(dir.resolve("report.html"))).contains("Soak: drills", "Soak: resources",
                    "Server memory", "Server threads and file descriptors", "leak #1", "db-outage #2");
            ByteArrayOutputStream summary = new ByteArrayOutputStream();
            ReportSummary.print(report, new PrintStream(summary, true, StandardCharsets.UTF_8));
            assertThat(summary.toString(StandardCharsets.UTF_8)).contains("== drill leak #1: ", "== drill db-outage #2: ",
                    "== resources: ");
            assertThat(console.toString(StandardCharsets.UTF_8)).contains("PUT /v1/admin/faults");
        }
    }
}
