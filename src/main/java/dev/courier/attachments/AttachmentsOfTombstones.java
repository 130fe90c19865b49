package dev.courier.attachments;

import dev.courier.messages.TombstoneFollower;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * When messages become tombstones in bulk (retention, the erasure of a deleted account), their links to attachments
 * go in the same transaction, as a single delete's do: an attachment that only such messages referenced is then an
 * orphan, and {@link AttachmentSweeper} removes it (and its blob, once nothing names it) at its next sweep.
 */
public final class AttachmentsOfTombstones implements TombstoneFollower {

    @Override
    public void tombstoned(Handle h, List<Long> messageIds) {
        h.createUpdate("DELETE FROM message_attachments WHERE message_id = ANY(:ids)")
                .bindArray("ids", Long.class, messageIds)
                .execute();
    }
}
