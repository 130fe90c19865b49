package dev.courier.cli;

import dev.courier.config.CourierConfig;
import dev.courier.config.DatabaseConfig;
import dev.courier.config.Durations;
import dev.courier.config.HttpConfig;
import dev.courier.config.PoolConfig;
import dev.courier.config.SessionConfig;
import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.LoadSetupException;
import dev.courier.loadtest.Scenario;
import dev.courier.loadtest.drill.Drill;
import dev.courier.loadtest.report.DrillPage;
import dev.courier.loadtest.report.ReportFiles;
import dev.courier.server.CourierServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code courier drill leak|db-outage|spike}: starts a private server (embedded database in a temporary
 * directory, fault injection on, a random admin token, a free loopback port), replays the incident against it,
 * prints a verdict and the postmortem draft of the incident it caused. The server's own log goes to a file, with
 * the first warning of each kind on the console; {@code --keep} keeps the data so that the incident can be worked
 * in {@code /ops} afterwards.
 */
@Command(name = "drill", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Replay an incident against a private Courier server and print a verdict: time to detect, "
                + "time to alert, availability during the fault, time to recover, lost messages.",
                "It ends with the postmortem draft of the incident it caused; --keep keeps the data to work that "
                        + "incident in /ops afterwards.",
                "Exit code: 0 Courier held, 1 it did not, 3 the drill could not run."})
public final class DrillCommand implements Callable<Integer> {

    enum Kind {
        LEAK(Scenario.LEAK), DB_OUTAGE(Scenario.DB_OUTAGE), SPIKE(Scenario.SPIKE);

        final Scenario scenario;

        Kind(Scenario scenario) {
            this.scenario = scenario;
        }
    }

    @Parameters(index = "0", converter = KindConverter.class, description = "leak, db-outage or spike.")
    Kind kind;

    @Option(names = "--duration", defaultValue = "60s", converter = Durations.class,
            description = "Length of the drill; the fault (or spike) covers its middle third.")
    Duration duration;

    @Option(names = "--rate", defaultValue = "50", description = "Messages per second (the spike is 10x this).")
    double rate;

    @Option(names = "--users", defaultValue = "16", description = "Virtual users.")
    int users;

    @Option(names = "--leak-rate", defaultValue = "0.2", description = "Share of requests that leak a connection.")
    double leakRate;

    @Option(names = "--report-json", defaultValue = "drill-report.json", description = "The load report as JSON.")
    Path jsonReport;

    @Option(names = "--report-html", defaultValue = "drill-report.html", description = "The load report as HTML.")
    Path htmlReport;

    @Option(names = "--server-log", defaultValue = "drill-server.log",
            description = "Where the drill's server logs; the console shows the first warning of each kind.")
    Path serverLog;

    @Option(names = "--keep", description = "Keep the drill's data directory and print how to reopen it with serve, "
            + "to work the incident in /ops.")
    boolean keep;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("courier-drill");
        String adminToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        System.out.println("drill: starting a private Courier server (embedded PostgreSQL in " + dataDir + ")");
        Optional<DrillIncident.Found> incident = Optional.empty();
        try (ServerLogDigest log = ServerLogDigest.start(System.out, serverLog.toAbsolutePath())) {
            try (CourierServer server = CourierServer.start(serverConfig(dataDir, adminToken))) {
                URI url = URI.create("http://127.0.0.1:" + server.port());
                LoadOptions options;
                try {
                    options = Drill.options(kind.scenario, url, adminToken, rate, duration, users, leakRate,
                            Optional.ofNullable(jsonReport), Optional.empty());
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
                Drill.Outcome outcome = Drill.run(options, System.out);
                LoadtestCommand.write(outcome.report(), options);
                try {
                    incident = new DrillIncident(url, adminToken).newest();
                } catch (IOException e) {
                    System.out.println("drill: could not read the drill's incident: " + e.getMessage());
                }
                outcome.verdict().print(System.out);
                System.out.println("  " + log.summary());
                if (htmlReport != null) {
                    ReportFiles.writeHtml(outcome.report(), new DrillPage(kind.scenario.cliName(),
                            outcome.verdict().held(), outcome.verdict().lines(),
                            incident.map(DrillIncident.Found::postmortem)), htmlReport);
                    System.out.println("  report: " + htmlReport.toAbsolutePath());
                }
                printIncident(incident);
                return outcome.verdict().exitCode();
            }
        } catch (LoadSetupException e) {
            System.err.println("drill: could not run: " + e.getMessage());
            return 3;
        } finally {
            if (keep) {
                printHowToReopen(dataDir, adminToken, incident);
            } else {
                deleteRecursively(dataDir);
            }
        }
    }

    private static void printIncident(Optional<DrillIncident.Found> incident) {
        if (incident.isEmpty()) {
            System.out.println("\n== no incident was recorded during the drill");
            return;
        }
        DrillIncident.Found found = incident.get();
        System.out.println("\n== postmortem draft of incident " + found.id() + " (" + found.state()
                + "), as GET /v1/admin/incidents/" + found.id() + "/postmortem gives it\n");
        System.out.println(found.postmortem());
    }

    private void printHowToReopen(Path dataDir, String adminToken, Optional<DrillIncident.Found> incident) {
        String id = incident.map(i -> String.valueOf(i.id())).orElse("ID");
        System.out.println("drill: kept the drill's data in " + dataDir + ". To work the incident in /ops:");
        System.out.println("  bin/courier serve --data-dir " + dataDir + " --admin-token " + adminToken);
        System.out.println("  then open http://localhost:8080/ops, enter the admin token and choose incident " + id
                + ",");
        System.out.println("  or: COURIER_ADMIN_TOKEN=" + adminToken + " bin/courier postmortem " + id);
    }

    /**
     * The drill's own server: loopback only, a free port, the embedded database, cheap password hashing (virtual
     * users log in by the dozen), the admin API behind a token only this process knows, and fault injection on.
     */
    static CourierConfig serverConfig(Path dataDir, String adminToken) {
        return new CourierConfig(
                new HttpConfig("127.0.0.1", 0),
                new DatabaseConfig(Optional.empty(), dataDir),
                PoolConfig.defaults(),
                new SessionConfig(Duration.ofHours(1), 1),
                Optional.of(adminToken))
                .withFaultInjection(true);
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("drill: could not remove " + dir + ": " + e.getMessage());
        }
    }

    static final class KindConverter implements CommandLine.ITypeConverter<Kind> {
        @Override
        public Kind convert(String value) {
            try {
                return Kind.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("unknown drill '" + value + "': use leak, db-outage or spike");
            }
        }
    }
}
