package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.Courier;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code courier --help} lists every subcommand with its options and defaults; {@code serve --help} still works;
 * a bad option is reported in one line.
 */
class CommandLineTest {

    private static String run(String... args) {
        CommandLine cli = Courier.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute(args)).isZero();
        return out.toString();
    }

    @Test
    void topLevelHelpListsEachSubcommandWithItsOptionsAndDefaults() {
        String help = run("--help");
        assertThat(help).contains("Commands:", "serve");
        assertThat(help).contains("courier serve [-hV]", "--port=<port>", "--data-dir=<dataDir>", "--db-url=<dbUrl>",
                "--admin-token=<adminToken>");
        assertThat(help).containsPattern("HTTP and WebSocket port \\(env COURIER_PORT\\)\\.\\s+Default: 8080");
        assertThat(help).contains("Default: ./courier-data", "Default: 250ms");
        assertThat(help).doesNotContain("courier help [");
    }

    @Test
    void serveHelpListsItsOwnOptionsWithDefaults() {
        String help = run("serve", "--help");
        assertThat(help).startsWith("Usage: courier serve");
        assertThat(help).contains("--port=<port>", "--session-ttl=<sessionTtl>", "Default: 30d");
        assertThat(help).doesNotContain("Commands:");
    }

    @Test
    void runningWithoutASubcommandPrintsTheSameHelp() {
        assertThat(run()).isEqualTo(run("--help"));
    }

    @Test
    void aPortInUseIsReportedAtOnceBeforeAnythingStarts(@TempDir Path dataDir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CommandLine cli = Courier.commandLine();
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err));
            long started = System.nanoTime();

            int exit = cli.execute("serve", "--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort()),
                    "--data-dir", dataDir.toString());

            assertThat(exit).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            assertThat(err.toString().strip()).startsWith("courier: --port " + taken.getLocalPort()
                    + " on 127.0.0.1 is in use").endsWith("choose another --port");
            assertThat(dataDir).isEmptyDirectory();
        }
    }

    @Test
    void aBadOptionIsReportedInOneLineAndExitsOne() {
        CommandLine cli = Courier.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("serve", "--port", "99999")).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("courier: --port must be between 0 and 65535, got 99999");
    }
}
