package dev.courier.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL that {@code serve} runs when no external database is given. Its files live in
 * {@code <data-dir>/pgdata}, so stopping and starting the server keeps every row. The data directory is locked
 * for the life of the process; a server left running by a killed predecessor is stopped before a new one starts.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static final Duration LEFTOVER_STOP_WAIT = Duration.ofSeconds(30);

    private final Path pgData;
    private final Path workDir;
    private final int port;
    private final DataDirectoryLock lock;
    private EmbeddedPostgres postgres;

    private EmbeddedDatabase(Path pgData, Path workDir, int port, DataDirectoryLock lock) {
        this.pgData = pgData;
        this.workDir = workDir;
        this.port = port;
        this.lock = lock;
    }

    public static EmbeddedDatabase start(Path dataDir) {
        EmbeddedPlatform.current().requireSupported();
        try {
            Files.createDirectories(dataDir);
            DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
            try {
                Path pgData = dataDir.resolve("pgdata");
                Path workDir = dataDir.resolve("pg-runtime");
                Files.createDirectories(workDir);
                stopLeftoverServer(pgData);
                EmbeddedDatabase db = new EmbeddedDatabase(pgData, workDir, freeLoopbackPort(), lock);
                db.startPostgres();
                return db;
            } catch (IOException | RuntimeException e) {
                lock.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDir.toAbsolutePath(), e);
        }
    }

    public DatabaseTarget target() {
        return new DatabaseTarget("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", null,
                "embedded PostgreSQL on 127.0.0.1:" + port + " (data in " + pgData.toAbsolutePath() + ")");
    }

    public synchronized boolean running() {
        return postgres != null;
    }

    /** Stops PostgreSQL but keeps the data directory locked; {@link #resume()} starts it again on the same port. */
    public synchronized void suspend() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            postgres = null;
        }
    }

    public synchronized void resume() {
        if (postgres == null) {
            startPostgres();
        }
    }

    private synchronized void startPostgres() {
        System.setProperty("ot.epg.working-dir", workDir.toString());
        try {
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(workDir.toFile())
                    .setPort(port)
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("max_connections", "200")
                    // PostgreSQL writes a new WAL file full of zeros while every commit waits (70-130 ms here at
                    // 4,500 msg/s); a checkpoint instead recycles old files as future ones. Keeping 512 MB of them
                    // (32 files, three to four minutes of WAL at that rate) means a busy server stops making new
                    // ones once its load has run through a checkpoint, and a burst does not start making them again.
                    .setServerConfig("min_wal_size", "512MB")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded PostgreSQL did not start", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            suspend();
        } finally {
            try {
                lock.close();
            } catch (IOException e) {
                log.warn("could not release the data directory lock: {}", e.toString());
            }
        }
    }

    /**
     * A {@code kill -9} of a previous server leaves its postgres running on these files. We hold the data directory
     * lock, so no live Courier owns it: stop it cleanly before starting our own.
     */
    private static void stopLeftoverServer(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> leftover = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst()
                .map(String::trim)
                .filter(s -> s.matches("\\d+"))
                .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        if (leftover.isEmpty()) {
            return;
        }
        ProcessHandle process = leftover.get();
        log.warn("stopping PostgreSQL (pid {}) left running on {} by a previous server", process.pid(), pgData);
        process.destroy();
        try {
            process.onExit().get(LEFTOVER_STOP_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the leftover PostgreSQL", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("PostgreSQL pid " + process.pid() + " on " + pgData
                    + " did not stop; stop it by hand and start again", e);
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
