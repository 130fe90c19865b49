package dev.courier.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Courier server started from an installed artifact (the packaged launcher, not the test class path), with exactly
 * the environment given: its output goes to a log file, read back for the "listening" line.
 */
final class PackagedServer implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Courier listening on http://[^:/]+:(\\d+) using ");

    private final Process process;
    private final Path log;
    private final int port;

    private PackagedServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static PackagedServer start(List<String> command, Map<String, String> environment, Path workingDirectory,
                                Path log, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = builder.start();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                return new PackagedServer(process, log, Integer.parseInt(m.group(1)));
            }
            if (!process.isAlive()) {
                throw new AssertionError("the server exited with " + process.exitValue() + ":\n" + output(log));
            }
            Thread.sleep(100);
        }
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        throw new AssertionError("the server did not start within " + timeout + ":\n" + output(log));
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** The command line of the process (the launcher exec's into java, so this is the JVM's). */
    List<String> commandLine() throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
        return List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
    }

    /** SIGTERM, as systemd and Kubernetes stop a service; the time until it exited, and its exit code. */
    Stopped stop(Duration within) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the server still runs " + within + " after SIGTERM:\n" + output());
        }
        return new Stopped(process.exitValue(), Duration.ofNanos(System.nanoTime() - start));
    }

    record Stopped(int exitCode, Duration took) {
    }

    String output() {
        return output(log);
    }

    private static String output(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
