package dev.courier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A nats-server of the test's own on a free loopback port, never the machine's. Needs the {@code nats-server}
 * binary (Debian's package; {@code bin/test} installs it when missing).
 */
public final class NatsServer implements AutoCloseable {

    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/sbin/nats-server"),
            Path.of("/usr/bin/nats-server"), Path.of("/usr/local/bin/nats-server"));

    private final int port;
    private Process process;

    private NatsServer(int port) {
        this.port = port;
    }

    public static NatsServer start() {
        NatsServer server = new NatsServer(freePort());
        server.startProcess();
        return server;
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** Kills the server and starts a new one on the same port: every client's connection drops. */
    public void restart() {
        stopProcess();
        startProcess();
    }

    public void stop() {
        stopProcess();
    }

    public void startProcess() {
        Path binary = CANDIDATES.stream().filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("nats-server is not installed (apt-get install nats-server)"));
        try {
            process = new ProcessBuilder(binary.toString(), "-a", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start nats-server", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IllegalStateException("nats-server did not listen on port " + port);
    }

    private void stopProcess() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stopProcess();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
