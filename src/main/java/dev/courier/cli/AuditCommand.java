package dev.courier.cli;

import dev.courier.audit.Audit;
import dev.courier.audit.AuditContext;
import dev.courier.audit.AuditReport;
import dev.courier.audit.BusProber;
import dev.courier.audit.CannotAuditException;
import dev.courier.config.JdbcTarget;
import dev.courier.db.Database;
import dev.courier.db.DatabaseTarget;
import dev.courier.db.PgBouncerConsole;
import dev.courier.db.PooledDatabaseFactory;
import dev.courier.web.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code courier audit}: checks a live deployment from its database (and, given a node and the admin token, its
 * bus), prints one line per check and exits 0 (no FAIL), 1 (a FAIL) or 2 (could not audit).
 */
@Command(name = "audit", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Audit a live deployment: PostgreSQL, the nodes, safety, alerting and backups. One line per "
                + "check (PASS, WARN or FAIL, the figure found and the fix). Exit 0 with no FAIL, 1 with any, 2 when "
                + "it could not audit.")
public final class AuditCommand implements Callable<Integer> {

    /** What {@code --format} accepts. */
    public enum Format { text, json }

    @Option(names = "--db-url", defaultValue = "${env:DATABASE_URL}",
            description = "The deployment's PostgreSQL, as given to serve (env DATABASE_URL). Read only: nothing is "
                    + "migrated.")
    String dbUrl;

    @Option(names = "--admin-token", defaultValue = "${env:COURIER_ADMIN_TOKEN}",
            description = "The nodes' admin token, for the bus probe through --url (env COURIER_ADMIN_TOKEN).")
    String adminToken;

    @Option(names = "--url", defaultValue = "${env:COURIER_URL}",
            description = "Any node's base URL, e.g. http://10.0.0.5:8080: it publishes the bus probe (env COURIER_URL).")
    URI url;

    @Option(names = "--format", defaultValue = "text", description = "text (one line per check) or json.")
    Format format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (dbUrl == null || dbUrl.isBlank()) {
            err.println("audit: --db-url (or DATABASE_URL) is required");
            return 2;
        }
        JdbcTarget jdbc;
        try {
            jdbc = JdbcTarget.parse(dbUrl);
        } catch (IllegalArgumentException e) {
            err.println("audit: " + e.getMessage());
            return 2;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Optional<BusProber> prober = url != null && adminToken != null && !adminToken.isBlank()
                ? Optional.of(() -> publishProbe(http)) : Optional.empty();
        DatabaseTarget target = new DatabaseTarget(jdbc.jdbcUrl(), jdbc.user(), jdbc.password(), jdbc.describe());
        try (Database db = PooledDatabaseFactory.openForInspection(target, new SimpleMeterRegistry())) {
            AuditReport report = Audit.run(AuditContext.load(db, jdbc.describe(), target.port(), prober,
                    Optional.of(new PgBouncerConsole(target)), http));
            out.print(format == Format.json ? report.json() : report.text());
            out.flush();
            return report.exitCode();
        } catch (CannotAuditException e) {
            err.println("audit: could not audit: " + e.getMessage());
            return 2;
        }
    }

    private UUID publishProbe(HttpClient http) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url.resolve("/v1/admin/nodes/probe"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + adminToken)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 202) {
            throw new IOException(request.uri() + " answered " + response.statusCode() + " " + response.body());
        }
        return UUID.fromString(Json.mapper().readTree(response.body()).get("probeId").asText());
    }
}
