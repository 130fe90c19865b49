package dev.courier.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus Alertmanager in a child process, from Debian's {@code prometheus-alertmanager} package: found on
 * the PATH, or installed when the tests run as root on a machine with apt-get. Where neither works the calling test
 * is skipped, loudly.
 */
public final class Alertmanager implements AutoCloseable {

    private static final List<String> NAMES = List.of("prometheus-alertmanager", "alertmanager");

    private final Process process;
    private final int port;

    private Alertmanager(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts one with a receiver that sends nowhere, and waits until {@code /-/ready} answers. */
    public static Alertmanager start(Path dir) throws IOException, InterruptedException {
        Path binary = require();
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, "route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        Alertmanager started = new Alertmanager(process, port);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(started.baseUrl() + "/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return started;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("alertmanager exited: "
                        + Files.readString(dir.resolve("alertmanager.log")));
            }
            Thread.sleep(100);
        }
        started.close();
        throw new IllegalStateException("alertmanager did not become ready within 30 s");
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The URL Courier posts alerts to. */
    public String webhook() {
        return baseUrl() + "/api/v2/alerts";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static synchronized Path require() {
        Optional<Path> found = onPath();
        if (found.isEmpty()) {
            install();
            found = onPath();
        }
        if (found.isEmpty()) {
            String message = "ALERTMANAGER MISSING: install Debian's 'prometheus-alertmanager' package to run this "
                    + "test; it was skipped";
            System.err.println("*** " + message + " ***");
            Assumptions.abort(message);
        }
        return found.get();
    }

    private static Optional<Path> onPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            for (String name : NAMES) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static void install() {
        DebianPackages.install("prometheus-alertmanager", "alertmanager");
    }
}
