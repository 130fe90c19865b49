package dev.courier.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Courier node as a child JVM ({@code courier serve}) on the test's classpath, for what only a process can show:
 * {@code kill -9}. The port is read from the start-up line.
 */
public final class NodeProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Courier listening on http://[^:]+:(\\d+) ");

    private final Process process;
    private final int port;

    private NodeProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts {@code serve --port 0} on {@code jdbcUrl} with the given extra options and waits until it listens. */
    public static NodeProcess start(String jdbcUrl, String... options) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--sun-misc-unsafe-memory-access=allow", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), "dev.courier.Courier", "serve",
                "--port", "0", "--host", "127.0.0.1", "--db-url", jdbcUrl, "--password-hash-cost", "1",
                // generous: start-up on a loaded test machine may wait for the first connections
                "--pool-acquire-timeout", "5s"));
        command.addAll(List.of(options));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a node", e);
        }
        CompletableFuture<Integer> port = new CompletableFuture<>();
        StringBuilder log = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    } else if (!port.isDone() && log.length() < 20_000) {
                        log.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process died; the port future below reports it
            }
            port.completeExceptionally(new IllegalStateException("node exited before listening:\n" + log));
        });
        try {
            return new NodeProcess(process, port.get(90, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("node did not start: " + e.getMessage(), e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGTERM, without waiting: the node drains and exits on its own ({@link #awaitExit}). */
    public void terminate() {
        process.destroy();
    }

    /** The exit code once the process has ended within {@code timeout}; fails the test otherwise. */
    public int awaitExit(java.time.Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("node still running " + timeout + " after it was asked to stop");
        }
        return process.exitValue();
    }

    /**
     * Freezes ({@code STOP}) or thaws ({@code CONT}) the node with a real signal: a frozen node keeps its sockets
     * open and its port accepting, and answers nothing, as a node stalled by its host or a long pause does.
     */
    public void signal(String name) throws java.io.IOException, InterruptedException {
        ProcessSignals.send(name, process.pid());
    }

    /** SIGKILL: no shutdown hook, no graceful stop. */
    public void kill9() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
