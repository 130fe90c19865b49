package dev.courier.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * target/dist/courier_VERSION_all.deb installed on this machine with dpkg, and the service started from its files the
 * way systemd would (there is no systemd here): the unit's ExecStart, as its User, in its WorkingDirectory and
 * StateDirectory, with Environment= and its EnvironmentFile; then /health/ready, a SIGTERM stop within the drain
 * budget, and {@code dpkg --purge}. Needs root and dpkg; skipped, saying so, without them.
 */
class DebianPackageIT {

    private static final Path UNIT = Path.of("/lib/systemd/system/courier.service");
    private static final Path ENV_FILE = Path.of("/etc/courier/courier.env");
    private static final Path STATE = Path.of("/var/lib/courier");
    /** The server's drain: HTTP stop timeout 10 s, then the pool and the embedded PostgreSQL (docs/deploy.md). */
    private static final Duration DRAIN_BUDGET = Duration.ofSeconds(20);

    @Test
    void theInstalledPackagesServiceRunsAsItsUserIsReadyStopsWithinTheDrainAndPurgesCleanly() throws Exception {
        requireRootAndDpkg();
        Assumptions.assumeFalse(Shell.run(Duration.ofSeconds(30), "dpkg-query", "-W", "courier").exitCode() == 0,
                "a courier package is already installed on this machine: not touching it");
        Assumptions.assumeFalse(Files.exists(STATE), STATE + " exists already: not touching it");
        Path deb = Dist.deb();

        boolean stateCreated = false;
        try {
            install(deb);

            // what the package installed
            assertThat(Path.of("/usr/bin/courier")).isSymbolicLink();
            assertThat(Path.of("/usr/bin/courier").toRealPath()).isEqualTo(Path.of("/usr/share/courier/bin/courier"));
            assertThat(Path.of("/usr/share/courier/courier.jar")).isRegularFile();
            assertThat(Path.of("/usr/share/courier/bin/lib/jdk.sh"))
                    .hasSameTextualContentAs(Dist.ROOT.resolve("bin/lib/jdk.sh"));
            assertThat(query("${Conffiles}")).contains("/etc/courier/courier.env");
            String passwd = Shell.run(Duration.ofSeconds(10), "getent", "passwd", "courier").orFail("getent").output();
            String[] user = passwd.strip().split(":");
            assertThat(Integer.parseInt(user[2])).as("a system user").isLessThan(1000);
            assertThat(user[6]).isEqualTo("/usr/sbin/nologin");
            PosixFileAttributes env = Files.readAttributes(ENV_FILE, PosixFileAttributes.class);
            assertThat(env.group().getName()).isEqualTo("courier");
            assertThat(PosixFilePermissions.toString(env.permissions())).isEqualTo("rw-r-----");

            // a second configure (dpkg-reconfigure, an upgrade) finds the user and changes nothing
            Shell.run(Duration.ofMinutes(1), "dpkg-reconfigure", "courier").orFail("dpkg-reconfigure");
            assertThat(Shell.run(Duration.ofSeconds(10), "getent", "passwd", "courier").output()).isEqualTo(passwd);

            SystemdUnit unit = SystemdUnit.read(UNIT);
            assertHardened(unit);

            // the operator's edit of the conffile: a free port and a small heap for this shared machine; DATABASE_URL
            // stays empty, so the embedded PostgreSQL runs in the StateDirectory
            int port = freePort();
            Files.writeString(ENV_FILE, Files.readString(ENV_FILE, StandardCharsets.UTF_8)
                    .replace("COURIER_PORT=8080", "COURIER_PORT=" + port) + "COURIER_HEAP=256m\n");

            // systemd creates the StateDirectory for the unit's user
            Files.createDirectories(STATE);
            stateCreated = true;
            Shell.run(Duration.ofSeconds(10), "chown", unit.get("User") + ":" + unit.get("Group"), STATE.toString())
                    .orFail("chown");
            Shell.run(Duration.ofSeconds(10), "chmod", unit.get("StateDirectoryMode"), STATE.toString()).orFail("chmod");

            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"); // systemd's
            environment.put("HOME", STATE.toString());
            environment.put("USER", unit.get("User"));
            environment.put("LOGNAME", unit.get("User"));
            environment.put("STATE_DIRECTORY", STATE.toString());
            environment.putAll(unit.environment());
            assertThat(environment).containsEntry("COURIER_DATA_DIR", STATE.toString())
                    .containsEntry("COURIER_PORT", Integer.toString(port));

            List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + unit.get("User"),
                    "--regid=" + unit.get("Group"), "--init-groups", "--no-new-privs", "--inh-caps=-all",
                    "--bounding-set=-all"));
            command.addAll(List.of(unit.get("ExecStart").split("\\s+")));
            Path log = Files.createTempFile("courier-deb-", ".log");
            try (PackagedServer server = PackagedServer.start(command, environment,
                    Path.of(unit.get("WorkingDirectory")), log, Duration.ofSeconds(120))) {
                assertThat(server.port()).isEqualTo(port);
                assertThat(Files.readString(Path.of("/proc", processOf(server), "status")))
                        .as("runs as the courier user").containsPattern("Uid:\\s+" + user[2] + "\\s");
                assertThat(server.commandLine()).contains("-XX:+UseZGC", "-Xms256m", "-jar",
                        "/usr/share/courier/courier.jar", "serve");

                Response ready = new ApiClient("http://127.0.0.1:" + port).get("/health/ready", null);
                assertThat(ready.status()).as(ready.body()).isEqualTo(200);
                assertThat(ready.json().path("checks").path("database").path("status").asText()).isEqualTo("up");
                assertThat(server.output()).contains("embedded PostgreSQL", "data in " + STATE);
                assertThat(Files.getOwner(STATE.resolve("pgdata"), LinkOption.NOFOLLOW_LINKS).getName())
                        .isEqualTo("courier");

                PackagedServer.Stopped stopped = server.stop(Duration.ofSeconds(
                        SystemdUnit.seconds(unit.get("TimeoutStopSec"))));
                System.out.println("packaged service stopped " + stopped.took().toMillis() + " ms after SIGTERM");
                assertThat(stopped.exitCode()).as(server.output()).isZero();
                assertThat(stopped.took()).isLessThan(DRAIN_BUDGET);
            }
            assertThat(leftRunning()).as("nothing of the service's is left running").isBlank();

            Shell.run(Duration.ofMinutes(2), "dpkg", "--purge", "courier").orFail("dpkg --purge");
            assertThat(Shell.run(Duration.ofSeconds(10), "getent", "passwd", "courier").exitCode())
                    .as("purge removes the user").isNotZero();
            assertThat(Path.of("/usr/bin/courier")).doesNotExist();
            assertThat(Path.of("/usr/share/courier")).doesNotExist();
            assertThat(UNIT).doesNotExist();
            assertThat(ENV_FILE).doesNotExist();
        } finally {
            Shell.run(Duration.ofSeconds(30), "pkill", "-KILL", "-u", "courier");
            Shell.run(Duration.ofMinutes(2), "dpkg", "--purge", "courier");
            if (stateCreated) {
                Shell.run(Duration.ofSeconds(60), "rm", "-rf", STATE.toString());
            }
        }
    }

    private static void install(Path deb) throws IOException, InterruptedException {
        Shell.Result plain = Shell.run(Duration.ofMinutes(2), "dpkg", "-i", deb.toString());
        if (plain.exitCode() == 0) {
            System.out.println("dpkg -i installed " + deb.getFileName() + " with its dependencies met");
            return;
        }
        // Debian 12 packages no Java 21; the JDK this suite runs on is unpacked, not a package, so the Depends line
        // (a Temurin or OpenJDK 21+ runtime) cannot be met here, and dpkg left the package unconfigured.
        assertThat(plain.output()).as("dpkg -i failed for another reason than the Java dependency")
                .contains("dependency problems");
        System.out.println("*** the .deb's Java runtime dependency is not installed as a package on this machine; "
                + "installing with dpkg --force-depends (the launcher finds the unpacked JDK in /usr/lib/jvm) ***");
        Shell.run(Duration.ofMinutes(2), "dpkg", "-i", "--force-depends", deb.toString()).orFail("dpkg -i --force-depends");
    }

    private static void assertHardened(SystemdUnit unit) {
        assertThat(unit.get("User")).isEqualTo("courier");
        assertThat(unit.get("ExecStart")).isEqualTo("/usr/bin/courier serve");
        assertThat(unit.get("EnvironmentFile")).isEqualTo(ENV_FILE.toString());
        assertThat(unit.get("StateDirectory")).isEqualTo("courier");
        assertThat(unit.get("WorkingDirectory")).isEqualTo(STATE.toString());
        assertThat(unit.get("ProtectSystem")).isEqualTo("strict");
        assertThat(unit.get("ProtectHome")).isEqualTo("yes");
        assertThat(unit.get("PrivateTmp")).isEqualTo("yes");
        assertThat(unit.get("NoNewPrivileges")).isEqualTo("yes");
        assertThat(unit.get("Restart")).isEqualTo("on-failure");
        assertThat(unit.get("KillSignal")).isEqualTo("SIGTERM");
        assertThat(unit.get("KillMode")).as("SIGTERM to the server alone: it stops its PostgreSQL itself")
                .isEqualTo("mixed");
        assertThat(SystemdUnit.seconds(unit.get("TimeoutStopSec"))).isGreaterThan(DRAIN_BUDGET.toSeconds());
    }

    /** What still runs as the courier user, given a few seconds to finish exiting. */
    private static String leftRunning() throws IOException, InterruptedException {
        String left = "";
        for (int i = 0; i < 50; i++) {
            left = Shell.run(Duration.ofSeconds(10), "pgrep", "-a", "-u", "courier").output();
            if (left.isBlank()) {
                return left;
            }
            Thread.sleep(100);
        }
        return left;
    }

    private static String query(String format) throws IOException, InterruptedException {
        return Shell.run(Duration.ofSeconds(30), "dpkg-query", "-W", "-f=" + format, "courier").orFail("dpkg-query")
                .output();
    }

    private static String processOf(PackagedServer server) throws IOException {
        // setpriv and the launcher exec, so the process started is the JVM
        List<String> cmd = server.commandLine();
        assertThat(cmd.get(0)).endsWith("/bin/java");
        return Long.toString(server.pid());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void requireRootAndDpkg() {
        String why = !Shell.root() ? "not root" : !Shell.has("dpkg") ? "no dpkg on this machine" : null;
        if (why != null) {
            String message = "DEBIAN PACKAGE TEST SKIPPED: " + why + "; installing the .deb needs root and dpkg";
            System.err.println("*** " + message + " ***");
            Assumptions.abort(message);
        }
    }
}
