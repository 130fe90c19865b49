package dev.courier.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PgBouncer in a child process (Debian's {@code pgbouncer} package, found or installed as root with apt-get;
 * otherwise the calling test is skipped, loudly), in front of one database of the suite's PostgreSQL, session
 * pooling, trusting every login. It runs as {@code nobody} when the tests run as root, since PgBouncer refuses root.
 */
public final class PgBouncer implements AutoCloseable {

    private final Process process;
    private final int port;

    private PgBouncer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Pools {@code database} of the suite's PostgreSQL under the same name, {@code poolSize} server connections, and
     * drops the startup parameters named in {@code ignoredStartupParameters} (as operators configure it for JDBC).
     */
    public static PgBouncer start(Path dir, String database, int poolSize, String ignoredStartupParameters)
            throws IOException, InterruptedException {
        return start(dir, database, poolSize, ignoredStartupParameters, "session");
    }

    /**
     * The same in transaction pooling mode ({@code pool_mode = transaction}), where each transaction may run on
     * another server connection, dropping pgjdbc's {@code extra_float_digits} as operators configure it for JDBC.
     */
    public static PgBouncer startInTransactionMode(Path dir, String database, int poolSize)
            throws IOException, InterruptedException {
        return start(dir, database, poolSize, "extra_float_digits", "transaction");
    }

    private static PgBouncer start(Path dir, String database, int poolSize, String ignoredStartupParameters,
                                   String poolMode) throws IOException, InterruptedException {
        Path binary = require();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path users = dir.resolve("users.txt");
        Files.writeString(users, "\"postgres\" \"\"\n");
        Path ini = dir.resolve("pgbouncer.ini");
        Files.writeString(ini, "[databases]\n" + database + " = host=127.0.0.1 port=" + TestDatabase.port()
                + " dbname=" + database + " pool_size=" + poolSize + "\n[pgbouncer]\nlisten_addr = 127.0.0.1\n"
                + "listen_port = " + port + "\nunix_socket_dir =\nauth_type = trust\nauth_file = " + users + "\n"
                + "admin_users = postgres\npool_mode = " + poolMode + "\nignore_startup_parameters = "
                + ignoredStartupParameters + "\n");
        ProcessBuilder builder = "root".equals(System.getProperty("user.name"))
                ? new ProcessBuilder(binary.toString(), "-u", "nobody", ini.toString())
                : new ProcessBuilder(binary.toString(), ini.toString());
        Process process = builder.redirectErrorStream(true).redirectOutput(dir.resolve("pgbouncer.log").toFile())
                .start();
        PgBouncer started = new PgBouncer(process, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return started;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("pgbouncer exited: " + Files.readString(dir.resolve("pgbouncer.log")));
                }
                Thread.sleep(100);
            }
        }
        started.close();
        throw new IllegalStateException("pgbouncer did not listen within 20 s");
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of {@code database} through this PgBouncer. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static synchronized Path require() {
        Optional<Path> found = find();
        if (found.isEmpty()) {
            DebianPackages.install("pgbouncer", "pgbouncer");
            found = find();
        }
        if (found.isEmpty()) {
            String message = "PGBOUNCER MISSING: install Debian's 'pgbouncer' package to run this test; it was skipped";
            System.err.println("*** " + message + " ***");
            Assumptions.abort(message);
        }
        return found.get();
    }

    private static Optional<Path> find() {
        for (String candidate : new String[] {"/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Optional.of(Path.of(candidate));
            }
        }
        return Optional.empty();
    }
}
