package dev.courier.db;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether the embedded PostgreSQL can run here. Courier ships the binaries for Linux on x86_64 with glibc only (the
 * others would triple the jar), so anywhere else {@code serve} must be pointed at a PostgreSQL with
 * {@code --db-url}; saying so up front beats the library's "missing embedded postgres binaries".
 */
record EmbeddedPlatform(String os, String arch, boolean musl, boolean binariesPresent) {

    static final String SUPPORTED = "Linux x86_64 with glibc";

    static EmbeddedPlatform current() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean musl = Files.exists(Path.of("/etc/alpine-release"));
        boolean present = EmbeddedPlatform.class.getClassLoader().getResource("postgres-linux-x86_64.txz") != null;
        return new EmbeddedPlatform(os, arch, musl, present);
    }

    boolean supported() {
        return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64")) && !musl && binariesPresent;
    }

    /** Throws, naming the way out, when the embedded PostgreSQL cannot run here. */
    void requireSupported() {
        if (!supported()) {
            throw new IllegalStateException("the embedded PostgreSQL ships for " + SUPPORTED + " only, and this is "
                    + os + " " + arch + (musl ? " (musl)" : "")
                    + "; point Courier at a PostgreSQL server with --db-url postgresql://user@host:5432/db");
        }
    }
}
