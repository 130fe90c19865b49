package dev.courier.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.config.JdbcTarget;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI image archive, target/dist/courier-VERSION-image.tar. Building it takes a minute or two (a jlink and a 90 MB
 * layer), so a plain {@code mvn verify} does not: the image tests use the archive {@code bin/courier package} left, or
 * build it first when asked ({@code -Dcourier.image.build=true}, which {@code bin/test} passes, or
 * {@code COURIER_IMAGE_BUILD=true}), and otherwise skip, saying so. Where an archive is there, its configuration is read from the archive itself, and the image is
 * run with podman against the suite's PostgreSQL (host network) where this machine allows containers. The
 * entrypoint's refusal to serve without a database is checked in every build, on the script alone.
 */
class ContainerImageIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void theArchivesImageRunsAsANonRootUserWithTheEntrypointThePortAndNoDatabaseConfigured() throws Exception {
        Path archive = requireImage();
        Path layout = temp.resolve("oci");
        Files.createDirectories(layout);
        Shell.run(Duration.ofMinutes(2), "tar", "-xf", archive.toString(), "-C", layout.toString()).orFail("tar");

        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        assertThat(index.path("manifests")).hasSize(1);
        assertThat(index.path("manifests").get(0).path("annotations").path("org.opencontainers.image.ref.name")
                .asText()).endsWith("courier:" + Dist.version());
        JsonNode manifest = blob(layout, index.path("manifests").get(0).path("digest").asText());
        assertThat(manifest.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        JsonNode image = blob(layout, manifest.path("config").path("digest").asText());
        JsonNode config = image.path("config");

        assertThat(image.path("os").asText()).isEqualTo("linux");
        assertThat(image.path("architecture").asText()).isEqualTo("amd64");
        assertThat(config.path("User").asText()).isEqualTo("10001:10001");
        assertThat(strings(config.path("Entrypoint"))).containsExactly("/opt/courier/bin/entrypoint");
        assertThat(strings(config.path("Cmd"))).containsExactly("serve");
        assertThat(config.path("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(config.path("WorkingDir").asText()).isEqualTo("/var/lib/courier");
        assertThat(config.path("StopSignal").asText()).isEqualTo("SIGTERM");
        List<String> env = strings(config.path("Env"));
        assertThat(env).contains("JAVA_HOME=/opt/courier/jre", "COURIER_PORT=8080");
        assertThat(env).noneMatch(e -> e.startsWith("DATABASE_URL=") || e.startsWith("COURIER_ADMIN_TOKEN="));

        // the one layer: Courier, its runtime, and the user it runs as
        assertThat(manifest.path("layers")).hasSize(1);
        Path layer = layout.resolve("blobs/sha256/" + manifest.path("layers").get(0).path("digest").asText()
                .substring("sha256:".length()));
        String listing = Shell.run(Duration.ofMinutes(2), "tar", "-tzf", layer.toString()).orFail("tar -t").output();
        assertThat(listing).contains("opt/courier/courier.jar", "opt/courier/jre/bin/java",
                "opt/courier/bin/entrypoint", "opt/courier/bin/lib/jdk.sh", "usr/bin/bash");
        String passwd = Shell.run(Duration.ofMinutes(1), "tar", "-xzOf", layer.toString(), "--wildcards",
                "*etc/passwd").orFail("tar -x etc/passwd").output();
        assertThat(passwd).contains("courier:x:10001:10001:");
    }

    @Test
    void theImageServesAgainstPostgresqlAsUser10001AndStopsOnSigterm() throws Exception {
        Path archive = requireImage();
        Podman podman = requireContainers(archive);
        String image = "localhost/courier:" + Dist.version();
        String name = "courier-it-" + UUID.randomUUID().toString().substring(0, 8);
        JdbcTarget database = TestDatabase.freshDatabase();
        int port = freePort();
        try {
            // without a database the entrypoint refuses, in one line, before any Java starts
            Shell.Result refused = Shell.run(Duration.ofMinutes(1), podman.run("--rm", image));
            assertThat(refused.exitCode()).isEqualTo(64);
            assertThat(refused.output()).contains("courier: DATABASE_URL is required in the container image");

            // read-only root file system and a writable /tmp, as deploy/kubernetes runs it
            Shell.run(Duration.ofMinutes(1), podman.run("-d", "--name", name, "--network", "host",
                    "--read-only", "--tmpfs", "/tmp",
                    "-e", "DATABASE_URL=" + database.jdbcUrl(), "-e", "COURIER_PORT=" + port,
                    "-e", "COURIER_HEAP=256m", "-e", "COURIER_PASSWORD_HASH_COST=1", image)).orFail("podman run");
            ApiClient api = new ApiClient("http://127.0.0.1:" + port);
            Response ready = awaitReady(api, podman, name);
            assertThat(ready.json().path("checks").path("database").path("status").asText()).isEqualTo("up");

            String pid = Shell.run(Duration.ofSeconds(30), podman.command("inspect", "-f", "{{.State.Pid}}", name))
                    .orFail("podman inspect").output().strip();
            assertThat(Files.readString(Path.of("/proc", pid, "status"))).containsPattern("Uid:\\s+10001\\s");
            assertThat(Files.readString(Path.of("/proc", pid, "cmdline")).replace('\0', ' '))
                    .startsWith("/opt/courier/jre/bin/java -XX:+UseZGC").contains("-Xmx256m", "-jar /opt/courier/courier.jar serve");

            Instant stop = Instant.now();
            Shell.run(Duration.ofSeconds(60), podman.command("stop", "-t", "30", name)).orFail("podman stop");
            Duration took = Duration.between(stop, Instant.now());
            System.out.println("container stopped " + took.toMillis() + " ms after podman stop (SIGTERM)");
            String exit = Shell.run(Duration.ofSeconds(30), podman.command("inspect", "-f", "{{.State.ExitCode}}", name))
                    .orFail("podman inspect").output().strip();
            assertThat(exit).as(logs(podman, name)).isEqualTo("0");
            assertThat(took).isLessThan(Duration.ofSeconds(20));
        } finally {
            Shell.run(Duration.ofMinutes(1), podman.command("rm", "-f", name));
            Shell.run(Duration.ofMinutes(1), podman.command("rmi", "-f", image));
        }
    }

    @Test
    void theEntrypointRefusesToServeWithoutADatabaseAndOtherwiseHandsOverToTheLauncher() throws Exception {
        // the entrypoint beside a stand-in launcher that prints what it was given
        Path bin = temp.resolve("bin");
        Files.createDirectories(bin);
        Files.copy(Dist.ROOT.resolve("packaging/image/entrypoint"), bin.resolve("entrypoint"));
        Files.writeString(bin.resolve("courier"), "#!/usr/bin/env bash\necho \"launcher: $*\"\n");
        for (Path script : List.of(bin.resolve("entrypoint"), bin.resolve("courier"))) {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String entrypoint = bin.resolve("entrypoint").toString();

        Shell.Result bare = Shell.run(Duration.ofSeconds(30), "env", "-u", "DATABASE_URL", entrypoint, "serve");
        assertThat(bare.exitCode()).isEqualTo(64);
        assertThat(bare.output()).contains("DATABASE_URL is required").doesNotContain("launcher:");

        assertThat(Shell.run(Duration.ofSeconds(30), "env", "DATABASE_URL=postgresql://db/courier", entrypoint, "serve")
                .orFail("entrypoint").output()).isEqualTo("launcher: serve\n");
        assertThat(Shell.run(Duration.ofSeconds(30), "env", "-u", "DATABASE_URL", entrypoint, "serve", "--db-url",
                "postgresql://db/courier").orFail("entrypoint").output())
                .isEqualTo("launcher: serve --db-url postgresql://db/courier\n");
        assertThat(Shell.run(Duration.ofSeconds(30), "env", "-u", "DATABASE_URL", entrypoint, "--help")
                .orFail("entrypoint").output()).as("other commands need no database").isEqualTo("launcher: --help\n");
    }

    /** The image archive, built first when asked; otherwise the test is skipped, saying how to run it. */
    private static Path requireImage() throws IOException, InterruptedException {
        Optional<Path> image = Dist.image();
        boolean asked = Boolean.getBoolean("courier.image.build")
                || "true".equalsIgnoreCase(System.getenv("COURIER_IMAGE_BUILD"));
        boolean stale = image.isPresent()
                && Files.getLastModifiedTime(image.get()).compareTo(Files.getLastModifiedTime(Dist.JAR)) < 0;
        if (asked && (image.isEmpty() || stale)) {
            Path out = Dist.DIST.resolve("courier-" + Dist.version() + "-image.tar");
            List<String> build = List.of(Dist.ROOT.resolve("packaging/image/build-image.sh").toString(),
                    Dist.JAR.toString(), Dist.version(), out.toString());
            System.out.println("building the image: " + String.join(" ", build));
            Shell.Result built = Shell.run(Duration.ofMinutes(15), build);
            System.out.println(built.output());
            if (built.exitCode() == 3) {
                skip("building the image needs root");
            }
            built.orFail("build-image.sh");
            return out;
        }
        if (image.isEmpty()) {
            skip("no image archive in target/dist; build one with bin/courier package, or run the suite with "
                    + "-Dcourier.image.build=true (or COURIER_IMAGE_BUILD=true)");
        }
        if (stale) {
            System.err.println("*** the image archive in target/dist is older than target/courier.jar: testing it as "
                    + "it is; -Dcourier.image.build=true rebuilds it ***");
        }
        return image.get();
    }

    /**
     * podman as this machine runs containers, after loading the archive; skips when containers cannot run here.
     * Where the default runtime (crun) cannot set up a container (no CAP_SYS_RESOURCE to raise its default limits,
     * hybrid cgroups), runc given the limits this process already has may.
     */
    private static Podman requireContainers(Path archive) throws IOException, InterruptedException {
        if (!Shell.has("podman") && Shell.root() && Shell.has("apt-get")) {
            System.err.println("podman not found; installing Debian's podman and runc packages");
            Shell.run(Duration.ofMinutes(10), "sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
                    + "apt-get install -y -qq --no-install-recommends podman runc");
        }
        if (!Shell.has("podman")) {
            skip("podman is not installed (apt-get install podman runc)");
        }
        Shell.run(Duration.ofMinutes(3), "podman", "load", "-q", "-i", archive.toString()).orFail("podman load");
        // limits below this process's own: lowering needs no privilege (NPROC counts uid 10001's processes only)
        String openFiles = Shell.run(Duration.ofSeconds(10), "bash", "-c", "ulimit -Hn").orFail("ulimit").output().strip();
        List<String> ownLimits = List.of("--ulimit", "nofile=" + openFiles + ":" + openFiles,
                "--ulimit", "nproc=4096:4096");
        List<Podman> candidates = List.of(new Podman(List.of(), List.of()),
                new Podman(List.of("--runtime", "runc"), ownLimits));
        StringBuilder failures = new StringBuilder();
        for (Podman podman : candidates) {
            List<String> probe = podman.run("--rm", "--entrypoint", "/usr/bin/id", "localhost/courier:" + Dist.version(),
                    "-u");
            Shell.Result result = Shell.run(Duration.ofMinutes(1), probe);
            if (result.exitCode() == 0 && result.output().strip().endsWith("10001")) {
                System.out.println("containers run here with: " + String.join(" ", probe));
                return podman;
            }
            failures.append(String.join(" ", probe)).append(": ").append(result.output().strip()).append('\n');
        }
        skip("this machine does not run containers (the image's configuration was still checked):\n" + failures);
        throw new IllegalStateException("unreachable");
    }

    /** podman's global options (e.g. the runtime), and the options each {@code podman run} needs here. */
    private record Podman(List<String> global, List<String> runOptions) {

        List<String> run(String... args) {
            List<String> command = command("run");
            command.addAll(runOptions);
            command.addAll(List.of(args));
            return command;
        }

        List<String> command(String subcommand, String... args) {
            List<String> command = new ArrayList<>(List.of("podman"));
            command.addAll(global);
            command.add(subcommand);
            command.addAll(List.of(args));
            return command;
        }
    }

    private static Response awaitReady(ApiClient api, Podman podman, String name) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            try {
                Response ready = api.get("/health/ready", null);
                if (ready.status() == 200) {
                    return ready;
                }
            } catch (RuntimeException | AssertionError notYetListening) {
                // the JVM is still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the container was not ready within 120 s:\n" + logs(podman, name));
    }

    private static String logs(Podman podman, String name) {
        try {
            return Shell.run(Duration.ofSeconds(30), podman.command("logs", name)).output();
        } catch (IOException | InterruptedException e) {
            return "(no logs: " + e + ")";
        }
    }

    private static JsonNode blob(Path layout, String digest) throws IOException {
        return JSON.readTree(layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())).toFile());
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void skip(String why) {
        String message = "CONTAINER IMAGE TEST SKIPPED: " + why;
        System.err.println("*** " + message + " ***");
        Assumptions.abort(message);
    }
}
