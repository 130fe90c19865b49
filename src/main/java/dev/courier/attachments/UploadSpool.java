package dev.courier.attachments;

import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Copies an upload's body to a file as it arrives, hashing and counting on the way, so that no upload is ever
 * held in memory beyond one buffer, and one longer than the limit is cut off the moment it passes it.
 */
final class UploadSpool {

    /** A body written whole to {@code file}. */
    record Spooled(Path file, long size, String sha256) {
    }

    private static final int BUFFER_BYTES = 64 * 1024;

    private UploadSpool() {
    }

    /**
     * Reads {@code body} to its end into a new file of {@code dir}. More than {@code maxBytes} → {@code 413
     * attachment_too_large}; a body that breaks off throws its {@link IOException}. Either way no file is left.
     */
    static Spooled spool(InputStream body, SpoolDirectory dir, long maxBytes, boolean sync) throws IOException {
        Path file = dir.newFile();
        boolean done = false;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            MessageDigest sha256 = sha256();
            byte[] buffer = new byte[BUFFER_BYTES];
            long size = 0;
            int read;
            while ((read = body.read(buffer)) >= 0) {
                size += read;
                if (size > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                sha256.update(buffer, 0, read);
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, read);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
            }
            if (sync) {
                out.force(true);
            }
            done = true;
            return new Spooled(file, size, HexFormat.of().formatHex(sha256.digest()));
        } finally {
            if (!done) {
                Files.deleteIfExists(file);
            }
        }
    }

    static ApiException tooLarge(long maxBytes) {
        return ApiException.of(ErrorCode.ATTACHMENT_TOO_LARGE,
                "an attachment may be at most " + maxBytes + " bytes");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
