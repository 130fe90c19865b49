package dev.courier.cli;

import dev.courier.config.Durations;
import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.LoadSetupException;
import dev.courier.loadtest.Scenario;
import dev.courier.loadtest.Transport;
import dev.courier.loadtest.drill.Soak;
import dev.courier.loadtest.generator.LoadRun;
import dev.courier.loadtest.judge.LoadJudge;
import dev.courier.loadtest.report.LoadReport;
import dev.courier.loadtest.report.ReportFiles;
import dev.courier.loadtest.report.ReportSummary;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code courier loadtest}: drives a running server through the contract and judges it against objectives. */
@Command(name = "loadtest", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Load a running Courier server the way its users would, check that every acknowledged "
                + "message arrives exactly once and in order, and write a JSON and an HTML report.",
                "Exit code: 0 all objectives met, 1 an objective or integrity check missed, 3 incomplete "
                        + "(e.g. delivery not measurable), 2 bad options."})
public final class LoadtestCommand implements Callable<Integer> {

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "The server to load.")
    URI url;

    @Option(names = "--allow-remote", description = "Allow a --url that is not a loopback address.")
    boolean allowRemote;

    @Option(names = "--scenario", defaultValue = "steady", converter = ScenarioConverter.class,
            description = "steady, ramp, spike (10x in the middle third), leak or db-outage (a fault switched on "
                    + "for the middle third through /v1/admin/faults), soak (steady, with a leak or an outage drill "
                    + "every --drill-every, and the server's resources judged flat or not), or storm (--storm-streams "
                    + "more streams opened at once a third into the run).")
    Scenario scenario;

    @Option(names = "--transport", defaultValue = "rest", description = "rest or socket: how users send.")
    Transport transport;

    @Option(names = "--rate", defaultValue = "50", description = "Messages per second (a ramp's first step).")
    double rate;

    @Option(names = "--duration", defaultValue = "30s", converter = Durations.class,
            description = "Length of the run (at most 24h).")
    Duration duration;

    @Option(names = "--max-messages", defaultValue = "1000000", description = "Stop after this many sends.")
    long maxMessages;

    @Option(names = "--users", defaultValue = "20",
            description = "Virtual users. The server's default per-user limit is 30 msg/s: use at least rate/25 users.")
    int users;

    @Option(names = "--group-share", defaultValue = "0.3", description = "Share of conversations that are groups.")
    double groupShare;

    @Option(names = "--group-size", defaultValue = "5", description = "Members per group.")
    int groupSize;

    @Option(names = "--busy-group-share", defaultValue = "0", converter = ShareConverter.class,
            description = "Share of all sends that go to one extra busy group (e.g. 50%%); its figures and those "
                    + "of the other conversations are reported apart, and the others must meet --slo-p99.")
    double busyGroupShare;

    @Option(names = "--busy-group-size", defaultValue = "" + LoadOptions.BusyGroup.DEFAULT_SIZE,
            description = "Members of the busy group (the first users).")
    int busyGroupSize;

    @Option(names = "--edit-share", defaultValue = "0", converter = ShareConverter.class,
            description = "Share of arrivals that edit a message the run sent before instead of sending one (e.g. "
                    + "5%%); with --react-share, changes are checked like messages: each reaches every member's "
                    + "streams once, in order.")
    double editShare;

    @Option(names = "--react-share", defaultValue = "0", converter = ShareConverter.class,
            description = "Share of arrivals that react to a message the run sent before (an emoji given, or taken "
                    + "back) instead of sending one.")
    double reactShare;

    @Option(names = "--slo-p99", defaultValue = "50ms", converter = Durations.class,
            description = "Objective for p99 send-to-delivered latency (send-to-ack when the stream is missing).")
    Duration sloP99;

    @Option(names = "--max-error-rate", defaultValue = "0.1%", converter = ShareConverter.class,
            description = "Objective for the share of failed sends, e.g. 0.1%% or 0.001.")
    double maxErrorRate;

    @Option(names = "--ramp-step", defaultValue = "10s", converter = Durations.class,
            description = "Length of each ramp step.")
    Duration rampStep;

    @Option(names = "--ramp-factor", defaultValue = "1.5", description = "Rate multiplier from one ramp step to the next.")
    double rampFactor;

    @Option(names = "--leak-rate", defaultValue = "0.2", description = "leakRate switched on by --scenario leak.")
    double leakRate;

    @Option(names = "--admin-token", defaultValue = "${env:COURIER_ADMIN_TOKEN}",
            description = "The server's admin token, for the fault scenarios (env COURIER_ADMIN_TOKEN).")
    String adminToken;

    @Option(names = "--drain", defaultValue = "10s", converter = Durations.class,
            description = "Longest wait for late deliveries after the last send.")
    Duration drain;

    @Option(names = "--typing-share", defaultValue = "0", converter = ShareConverter.class,
            description = "Share of the users typing at any moment (e.g. 1%%): each sends a typing frame every 3 s.")
    double typingShare;

    @Option(names = "--reconnect-share", defaultValue = "0", converter = ShareConverter.class,
            description = "Share of the users whose stream closes and opens again each minute (e.g. 1%%); "
                    + "needs --transport rest.")
    double reconnectShare;

    @Option(names = "--reconnect-pause", defaultValue = "1s", converter = Durations.class,
            description = "How long a reconnecting user stays away; beyond the server's --presence-grace the others "
                    + "see it go offline and come back.")
    Duration reconnectPause;

    @Option(names = "--chatter-alternate", defaultValue = "0s", converter = Durations.class,
            description = "0s: typing and reconnects all the run long; otherwise off for this long, then on, and so "
                    + "on, and the report compares the sends' latency with and without them.")
    Duration chatterAlternate;

    @Option(names = "--echo", defaultValue = "true", arity = "1",
            description = "false: open the streams with echo=false, so that a socket send comes back as its ack only "
                    + "and the ack counts as the sending stream's copy.")
    boolean echo;

    @Option(names = "--stream-liveness", defaultValue = "0s", converter = Durations.class,
            description = "0s: off. Otherwise a stream that hears nothing for half this long is sent a WebSocket ping, "
                    + "and one that hears nothing, pong included, for all of it is taken for broken and resumed "
                    + "(a frozen node or a silent network closes no socket).")
    Duration streamLiveness;

    @Option(names = "--storm-streams", defaultValue = "1000",
            description = "--scenario storm: streams of the run's users opened at once a third into the run, "
                    + "round the users (the server lets a user hold 16 by default).")
    int stormStreams;

    @Option(names = "--storm-window", defaultValue = "0s", converter = Durations.class,
            description = "--scenario storm: the storm's streams open at moments spread evenly over this long "
                    + "(0s: all at once).")
    Duration stormWindow;

    @Option(names = "--drill-every", defaultValue = "10m", converter = Durations.class,
            description = "--scenario soak: a drill this often, a leak and a database outage in turn.")
    Duration drillEvery;

    @Option(names = "--drill-length", defaultValue = "30s", converter = Durations.class,
            description = "--scenario soak: how long each drill's fault stays on (at most half of --drill-every).")
    Duration drillLength;

    @Option(names = "--report-json", defaultValue = "loadtest-report.json", description = "Where to write the JSON report.")
    Path jsonReport;

    @Option(names = "--report-html", defaultValue = "loadtest-report.html", description = "Where to write the HTML report.")
    Path htmlReport;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException, IOException {
        LoadOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            LoadReport report;
            if (options.scenario() == Scenario.SOAK) {
                report = Soak.run(options, System.out);
            } else {
                LoadJudge judge = new LoadJudge(options);
                report = judge.report(new LoadRun(options, System.out, judge).run());
            }
            write(report, options);
            return report.exitCode();
        } catch (LoadSetupException e) {
            System.err.println("loadtest: " + e.getMessage());
            return 1;
        }
    }

    static void write(LoadReport report, LoadOptions options) throws IOException {
        ReportSummary.print(report, System.out);
        if (options.jsonReport().isPresent()) {
            ReportFiles.writeJson(report, options.jsonReport().get());
            System.out.println("report: " + options.jsonReport().get().toAbsolutePath());
        }
        if (options.htmlReport().isPresent()) {
            ReportFiles.writeHtml(report, options.htmlReport().get());
            System.out.println("report: " + options.htmlReport().get().toAbsolutePath());
        }
    }

    LoadOptions options() {
        return new LoadOptions(url, allowRemote, scenario, transport, rate, duration, maxMessages, users, groupShare,
                groupSize, new LoadOptions.BusyGroup(busyGroupShare, busyGroupSize),
                new LoadOptions.ChangeMix(editShare, reactShare), sloP99, maxErrorRate, rampStep,
                rampFactor, leakRate,
                Optional.ofNullable(adminToken).filter(s -> !s.isBlank()), drain, Optional.ofNullable(jsonReport),
                Optional.ofNullable(htmlReport),
                new LoadOptions.Chatter(typingShare, reconnectShare, reconnectPause, chatterAlternate))
                .withEcho(echo).withStreamLiveness(streamLiveness)
                .withStorm(new LoadOptions.Storm(stormStreams, stormWindow))
                .withSoak(new LoadOptions.Soak(drillEvery, drillLength));
    }

    /** {@code db-outage} on the command line, {@code DB_OUTAGE} in code. */
    static final class ScenarioConverter implements CommandLine.ITypeConverter<Scenario> {
        @Override
        public Scenario convert(String value) {
            try {
                return Scenario.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("unknown scenario '" + value
                        + "': use steady, ramp, spike, soak, leak, db-outage or storm");
            }
        }
    }

    /** {@code 0.1%} or {@code 0.001}. */
    static final class ShareConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.trim();
            try {
                return v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100 : Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a share such as 0.1% or 0.001");
            }
        }
    }
}
