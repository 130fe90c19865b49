package dev.courier.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.JdbcTarget;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/dist/courier-VERSION.tar.gz, unpacked as a user would: its bin/courier finds a Java runtime, runs the jar
 * beside it with the launcher's JVM options, and the server answers /health/ready against the suite's PostgreSQL.
 */
class TarballPackageIT {

    @TempDir
    Path temp;

    @Test
    void theUnpackedTarballsLauncherStartsAServerThatIsReadyAndStopsOnSigterm() throws Exception {
        Path tarball = Dist.tarball();
        Shell.run(Duration.ofMinutes(2), "tar", "-xzf", tarball.toString(), "-C", temp.toString()).orFail("tar");
        Path home = temp.resolve("courier-" + Dist.version());

        assertThat(home.resolve("courier.jar")).isRegularFile();
        assertThat(home.resolve("bin/courier")).isExecutable();
        assertThat(home.resolve("bin/lib/jdk.sh")).hasSameTextualContentAs(Dist.ROOT.resolve("bin/lib/jdk.sh"));
        assertThat(home.resolve("docs/deploy.md")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(home.resolve("systemd/courier.service")).isRegularFile();
        assertThat(home.resolve("deploy/prometheus/courier-alerts.yml")).isRegularFile();

        JdbcTarget database = TestDatabase.freshDatabase();
        // PATH without any Java: the launcher finds one under /usr/lib/jvm (or in JAVA_HOME) by itself
        Map<String, String> environment = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "HOME", temp.toString(),
                "COURIER_HEAP", "256m");
        List<String> command = List.of(home.resolve("bin/courier").toString(), "serve", "--port", "0",
                "--host", "127.0.0.1", "--db-url", database.jdbcUrl(), "--password-hash-cost", "1");
        try (PackagedServer server = PackagedServer.start(command, environment, temp, temp.resolve("serve.log"),
                Duration.ofSeconds(90))) {
            assertThat(server.commandLine()).as("the JVM runs with bin/lib/jdk.sh's options")
                    .contains("-XX:+UseZGC", "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-jar",
                            home.resolve("courier.jar").toString());

            Response ready = new ApiClient("http://127.0.0.1:" + server.port()).get("/health/ready", null);
            assertThat(ready.status()).as(ready.body()).isEqualTo(200);
            assertThat(ready.json().path("status").asText()).isEqualTo("up");

            PackagedServer.Stopped stopped = server.stop(Duration.ofSeconds(30));
            assertThat(stopped.exitCode()).as(server.output()).isZero();
            System.out.println("tarball server stopped " + stopped.took().toMillis() + " ms after SIGTERM");
        }
    }

    @Test
    void theLauncherWithoutItsJarSaysTheInstallationIsIncomplete() throws Exception {
        Path tarball = Dist.tarball();
        Shell.run(Duration.ofMinutes(2), "tar", "-xzf", tarball.toString(), "-C", temp.toString()).orFail("tar");
        Path home = temp.resolve("courier-" + Dist.version());
        Files.delete(home.resolve("courier.jar"));

        Shell.Result result = Shell.run(Duration.ofSeconds(30), home.resolve("bin/courier").toString(), "serve");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("courier.jar is missing; this installation is incomplete");
    }
}
