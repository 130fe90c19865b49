package dev.courier.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code courier serve} in a child JVM on this test run's class path, for what only a real process shows: its exit
 * code, its answer to SIGTERM, and what a {@code kill -9} leaves behind. Output goes to a file next to the data
 * directory, read back to find the "listening" line.
 */
public final class ServeProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Courier listening on http://[^:/]+:(\\d+) using ");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final Path dataDir;
    private final Path log;
    private final int port;
    private volatile boolean killedOnPurpose;

    private ServeProcess(Process process, Path dataDir, Path log, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code serve --port 0 --data-dir dataDir} and waits until it prints where it listens. */
    public static ServeProcess start(Path dataDir, String... extraArgs) throws IOException, InterruptedException {
        return start(dataDir, List.of(), extraArgs);
    }

    /** As {@link #start(Path, String...)}, with options for the JVM (e.g. a small {@code -Xmx}). */
    public static ServeProcess start(Path dataDir, List<String> jvmOptions, String... extraArgs)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile(dataDir.getParent(), "serve-", ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1")); // a short-lived server starts faster without the optimising compiler
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "dev.courier.Courier", "serve", "--port", "0", "--host", "127.0.0.1",
                "--data-dir", dataDir.toString(), "--password-hash-cost", "1"));
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                return new ServeProcess(process, dataDir, log, Integer.parseInt(m.group(1)));
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("serve exited with " + process.exitValue() + ":\n" + output(log));
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        stopPostgresOn(dataDir);
        throw new IllegalStateException("serve did not start within " + START_TIMEOUT + ":\n" + output(log));
    }

    public int port() {
        return port;
    }

    public ApiClient client() {
        return new ApiClient("http://127.0.0.1:" + port);
    }

    public long pid() {
        return process.pid();
    }

    /** SIGTERM, as a service manager stops a server. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: no shutdown hook, no cleanup; {@link #close()} then leaves its PostgreSQL for the next server. */
    public void kill() throws InterruptedException {
        killedOnPurpose = true;
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** The exit code, or throws when the process still runs after {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("serve still runs after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    public String output() {
        return output(log);
    }

    private static String output(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** PostgreSQL processes whose command line names {@code dataDir}: what a server left running there. */
    public static List<ProcessHandle> postgresOn(Path dataDir) {
        String dir = dataDir.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("postgres") && c.contains(dir)).orElse(false))
                .toList();
    }

    /** A test that failed half-way must not leave a server, or the PostgreSQL of a killed one, running. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        if (!killedOnPurpose) {
            stopPostgresOn(dataDir);
        }
    }

    private static void stopPostgresOn(Path dataDir) throws InterruptedException {
        for (ProcessHandle postgres : postgresOn(dataDir)) {
            postgres.destroy();
            try {
                postgres.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                postgres.destroyForcibly();
            }
        }
    }
}
