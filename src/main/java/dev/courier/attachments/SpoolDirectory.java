package dev.courier.attachments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The directory uploads spool their bodies to, one file each, named {@code upload-*.part}. A file left there was
 * either being written (its time moves with every write) or belonged to a node killed mid-upload.
 */
final class SpoolDirectory {

    private static final String PREFIX = "upload-";
    private static final String SUFFIX = ".part";

    private final Path dir;

    SpoolDirectory(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the attachment spool directory " + dir, e);
        }
    }

    Path path() {
        return dir;
    }

    Path newFile() throws IOException {
        return Files.createTempFile(dir, PREFIX, SUFFIX);
    }

    /** Deletes the spooled files not written to since {@code idleSince}; returns how many. */
    int removeIdle(Instant idleSince) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    if (Files.getLastModifiedTime(file).toInstant().isBefore(idleSince) && Files.deleteIfExists(file)) {
                        removed++;
                    }
                } catch (NoSuchFileException finishedMeanwhile) {
                    // its upload completed (or gave up) while we looked
                }
            }
        }
        return removed;
    }
}
