package dev.courier.attachments;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * Keeps the bytes in a directory ({@code serve --attachments-dir}), one file per content named by its hash under a
 * folder of its first two hex digits ({@code ab/abcd...}), with the metadata still in PostgreSQL. For a fleet, the
 * directory is a shared volume.
 *
 * <p>An upload spools into {@code .incoming/} inside the directory, forced to disk, and its transaction renames the
 * file into place (atomic on one file system) and forces the folder, so a file under its hash is always whole. A
 * transaction that rolls back after the rename leaves a file no blob row names: {@link #removeStrays} deletes it once
 * it is older than the grace it is given.
 */
public final class DirectoryBlobStore implements BlobStore {

    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    private final Path root;
    private final SpoolDirectory spool;

    public DirectoryBlobStore(Path root) {
        this.root = root.toAbsolutePath();
        this.spool = new SpoolDirectory(this.root.resolve(".incoming"));
    }

    @Override
    public Path spoolDirectory() {
        return spool.path();
    }

    @Override
    public boolean syncsSpool() {
        return true;
    }

    @Override
    public boolean holds(Handle h, String sha256) {
        return Files.isRegularFile(file(sha256));
    }

    @Override
    public void store(Handle h, String sha256, Path spooled, long size) throws IOException {
        Path target = file(sha256);
        Files.createDirectories(target.getParent());
        // the same content under the same name: replacing a leftover of a rolled-back upload loses nothing
        Files.move(spooled, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(target.getParent());
    }

    @Override
    public InputStream open(String sha256, long offset, long length) throws IOException {
        FileChannel channel = FileChannel.open(file(sha256), StandardOpenOption.READ);
        channel.position(offset);
        return new LimitedStream(Channels.newInputStream(channel), length);
    }

    @Override
    public void remove(Handle h, String sha256) {
        try {
            Files.deleteIfExists(file(sha256));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int removeStrays(Instant idleSince, Predicate<String> knownBlob) throws IOException {
        int removed = spool.removeIdle(idleSince);
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, "[0-9a-f][0-9a-f]")) {
            for (Path folder : folders) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                    for (Path file : files) {
                        String name = file.getFileName().toString();
                        try {
                            if (HASH.matcher(name).matches()
                                    && Files.getLastModifiedTime(file).toInstant().isBefore(idleSince)
                                    && !knownBlob.test(name) && Files.deleteIfExists(file)) {
                                removed++;
                            }
                        } catch (NoSuchFileException goneMeanwhile) {
                            // removed by another node's sweep
                        }
                    }
                }
            }
        }
        return removed;
    }

    private Path file(String sha256) {
        if (!HASH.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256 in hex: " + sha256);
        }
        return root.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    /** A rename is durable once the folder holding the new name is on disk. */
    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** At most {@code remaining} bytes of {@code in}. */
    private static final class LimitedStream extends java.io.FilterInputStream {

        private long remaining;

        LimitedStream(InputStream in, long remaining) {
            super(in);
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(buffer, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
