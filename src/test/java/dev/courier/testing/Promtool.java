package dev.courier.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's {@code promtool}: found on the PATH, or installed from Debian's {@code prometheus} package when the
 * tests run as root on a machine with apt-get. Where neither works the calling test is skipped, loudly.
 */
public final class Promtool {

    /** What promtool printed and how it exited. */
    public record Result(int exitCode, String output) {
    }

    private static Path found;

    private Promtool() {
    }

    public static synchronized Path require() {
        if (found != null) {
            return found;
        }
        found = onPath().orElseGet(() -> {
            install();
            return onPath().orElse(null);
        });
        if (found == null) {
            String message = "PROMTOOL MISSING: install Debian's 'prometheus' package (apt-get install prometheus) "
                    + "to run this test; it was skipped";
            System.err.println("*** " + message + " ***");
            Assumptions.abort(message);
        }
        return found;
    }

    public static Result run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(require().toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("promtool did not finish within 120 s: " + command);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new AssertionError("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static java.util.Optional<Path> onPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }

    private static void install() {
        DebianPackages.install("prometheus", "promtool");
    }
}
