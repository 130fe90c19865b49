package dev.courier.attachments;

import dev.courier.db.Database;
import dev.courier.platform.PeriodicTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects what no one can reach any more, now and then: attachments no message carries an hour after the 24 hours
 * in which they may be sent (never sent, or sent with messages since deleted), then blobs no attachment names, then
 * what uploads left on disk (spooled bodies of a node killed mid-upload, files of a transaction that rolled back).
 * Every node sweeps; the statements skip what another node holds, so two sweeps at once do no harm.
 */
public final class AttachmentSweeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AttachmentSweeper.class);
    /** Rows deleted per statement: no sweep holds locks for long, however much there is to collect. */
    private static final int BATCH = 500;
    /** How long a spooled body or an unnamed file must lie untouched before it counts as a leftover. */
    static final Duration STRAY_AFTER = Duration.ofHours(1);

    /** What one sweep removed. */
    public record Swept(int attachments, int blobs, int strays) {
    }

    private final Database db;
    private final BlobStore blobs;
    private final AttachmentStore store = new AttachmentStore();
    private final PeriodicTask task;

    public AttachmentSweeper(Database db, BlobStore blobs, Duration every) {
        this.db = db;
        this.blobs = blobs;
        this.task = PeriodicTask.every(every, "courier-attachment-sweeper", () -> {
            Swept swept = sweep(Instant.now().minus(STRAY_AFTER));
            if (swept.attachments() + swept.blobs() + swept.strays() > 0) {
                log.info("attachment sweep removed {}", swept);
            }
        }, e -> log.warn("attachment sweep failed: {}", e.toString()));
    }

    /** One sweep; leftovers on disk count when untouched since {@code straysIdleSince}. */
    public Swept sweep(Instant straysIdleSince) throws IOException {
        int attachments = 0;
        int removed;
        do {
            removed = db.withHandle("attachments.sweepOrphans", h -> store.deleteOrphans(h, BATCH));
            attachments += removed;
        } while (removed == BATCH);
        int blobCount = 0;
        List<String> deleted;
        do {
            deleted = db.inTransaction("attachments.sweepBlobs", h -> {
                List<String> gone = store.deleteUnusedBlobs(h, BATCH);
                for (String sha256 : gone) {
                    try {
                        blobs.remove(h, sha256);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return gone;
            });
            blobCount += deleted.size();
        } while (deleted.size() == BATCH);
        int strays = blobs.removeStrays(straysIdleSince,
                sha256 -> db.withHandle("attachments.sweepStrays", h -> store.blobExists(h, sha256)));
        return new Swept(attachments, blobCount, strays);
    }

    @Override
    public void close() {
        task.close();
    }
}
