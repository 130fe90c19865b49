package dev.courier.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where attachments are kept and how much of them a user may store.
 *
 * @param maxBytes   the largest upload accepted; a larger one is refused {@code 413 attachment_too_large}
 * @param quotaBytes what one user's uploads may add up to, each counted at its full size
 * @param directory  where the bytes go instead of PostgreSQL (the metadata stays there); empty: in PostgreSQL
 */
public record AttachmentConfig(long maxBytes, long quotaBytes, Optional<Path> directory) {

    public static final long DEFAULT_MAX_BYTES = 25L << 20;
    public static final long DEFAULT_QUOTA_BYTES = 1L << 30;

    public static AttachmentConfig defaults() {
        return new AttachmentConfig(DEFAULT_MAX_BYTES, DEFAULT_QUOTA_BYTES, Optional.empty());
    }

    public AttachmentConfig {
        if (maxBytes < 1 || maxBytes > (1L << 40)) {
            throw new IllegalArgumentException("--max-attachment-bytes must be between 1 and 1TiB, got " + maxBytes);
        }
        if (quotaBytes < 0) {
            throw new IllegalArgumentException("--attachment-quota must not be negative, got " + quotaBytes);
        }
    }

    public AttachmentConfig withDirectory(Path dir) {
        return new AttachmentConfig(maxBytes, quotaBytes, Optional.of(dir));
    }

    public AttachmentConfig withMaxBytes(long max) {
        return new AttachmentConfig(max, quotaBytes, directory);
    }

    public AttachmentConfig withQuotaBytes(long quota) {
        return new AttachmentConfig(maxBytes, quota, directory);
    }
}
