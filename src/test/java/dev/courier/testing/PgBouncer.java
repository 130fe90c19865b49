package dev.courier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PgBouncer (the Debian package, which bin/test installs) on a free loopback port in front of the suite's
 * PostgreSQL, in transaction pooling mode. PgBouncer refuses to run as root, so under root it runs as
 * {@code postgres}.
 */
public final class PgBouncer implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

    private final Process process;
    private final int port;
    private final Path dir;

    private PgBouncer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static PgBouncer inTransactionMode(int postgresPort) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "pgbouncer is not installed (bin/test installs it)");
        Path dir = Files.createTempDirectory("pgbouncer", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port = freePort();
        Files.writeString(dir.resolve("userlist.txt"), "\"postgres\" \"\"\n");
        Files.writeString(dir.resolve("pgbouncer.ini"), """
                [databases]
                * = host=127.0.0.1 port=%d
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                auth_type = trust
                auth_file = %s/userlist.txt
                pool_mode = transaction
                max_client_conn = 400
                default_pool_size = 8
                ignore_startup_parameters = extra_float_digits
                logfile = %s/pgbouncer.log
                pidfile = %s/pgbouncer.pid
                """.formatted(postgresPort, port, dir, dir, dir));
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(BINARY.toString(), dir.resolve("pgbouncer.ini").toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return new PgBouncer(process, port, dir);
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("pgbouncer exited: " + Files.readString(dir.resolve("stdout.log")));
                }
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("pgbouncer did not listen on " + port);
    }

    /** The JDBC URL of {@code database} through the pooler. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("pgbouncer.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
