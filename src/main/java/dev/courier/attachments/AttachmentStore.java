package dev.courier.attachments;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for {@code attachments}, {@code attachment_blobs} and {@code message_attachments} (V10). */
final class AttachmentStore {

    private static final String COLUMNS = "a.id, a.filename, a.content_type, a.size, a.sha256, a.created_at";
    /**
     * An attachment no message carries may be sent for this long after its upload; the sweeper removes it an hour
     * later ({@link AttachmentSweeper}), so a send checked just in time still finds it when its batch is stored.
     */
    static final String SENDABLE_WINDOW = "interval '24 hours'";

    /** This transaction's lock timeout, instead of the pool's. */
    void waitForLocksUpTo(Handle h, java.time.Duration wait) {
        h.createQuery("SELECT set_config('lock_timeout', :ms, true)").bind("ms", wait.toMillis() + "ms")
                .mapTo(String.class).one();
    }

    /**
     * Serialises a user's uploads at the moment each one commits, so two of them cannot both fit under the quota
     * the sum of them passes. {@code NO KEY UPDATE}: a login, which references the row, is not held up.
     */
    void lockUploader(Handle h, long userId) {
        h.createQuery("SELECT 1 FROM users WHERE id = :u FOR NO KEY UPDATE").bind("u", userId).mapTo(Integer.class)
                .findOne();
    }

    /** The bytes the user's uploads take up, each counted in full. */
    long usage(Handle h, long userId) {
        return h.createQuery("SELECT coalesce(sum(size), 0) FROM attachments WHERE uploader_id = :u")
                .bind("u", userId)
                .mapTo(Long.class)
                .one();
    }

    /**
     * The blob's row, inserted now (true) or found and marked used (false). Marking it locks the row until this
     * transaction ends, which is what keeps the sweeper from deleting a blob an upload is about to name.
     */
    boolean claimBlob(Handle h, String sha256, long size) {
        return h.createQuery("INSERT INTO attachment_blobs AS b (sha256, size) VALUES (:sha, :size) "
                        + "ON CONFLICT (sha256) DO UPDATE SET last_used_at = now() RETURNING (xmax = 0) AS inserted")
                .bind("sha", sha256)
                .bind("size", size)
                .mapTo(Boolean.class)
                .one();
    }

    Attachment insert(Handle h, String id, long uploaderId, String sha256, String filename, String contentType,
                      long size) {
        return h.createQuery("INSERT INTO attachments AS a (id, uploader_id, sha256, filename, content_type, size) "
                        + "VALUES (:id, :u, :sha, :filename, :type, :size) RETURNING " + COLUMNS)
                .bind("id", id)
                .bind("u", uploaderId)
                .bind("sha", sha256)
                .bind("filename", filename)
                .bind("type", contentType)
                .bind("size", size)
                .map((rs, ctx) -> attachment(rs))
                .one();
    }

    /**
     * The attachment, when {@code userId} uploaded it or is now a member of a conversation where it was sent; empty
     * for everyone else, who must not learn whether it exists.
     */
    Optional<Attachment> readable(Handle h, String id, long userId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM attachments a WHERE a.id = :id AND (a.uploader_id = :u "
                        + "OR EXISTS (SELECT 1 FROM message_attachments ma JOIN memberships m "
                        + "ON m.conversation_id = ma.conversation_id AND m.user_id = :u WHERE ma.attachment_id = a.id))")
                .bind("id", id)
                .bind("u", userId)
                .map((rs, ctx) -> attachment(rs))
                .findOne();
    }

    /** Of {@code ids}, those {@code senderId} uploaded that may still be sent (see {@link #SENDABLE_WINDOW}). */
    List<Attachment> sendable(Handle h, long senderId, List<String> ids) {
        return h.createQuery("SELECT " + COLUMNS + " FROM attachments a WHERE a.id = ANY(:ids) AND a.uploader_id = :u "
                        + "AND (a.created_at > now() - " + SENDABLE_WINDOW + " OR EXISTS "
                        + "(SELECT 1 FROM message_attachments ma WHERE ma.attachment_id = a.id))")
                .bind("ids", ids.toArray(String[]::new))
                .bind("u", senderId)
                .map((rs, ctx) -> attachment(rs))
                .list();
    }

    /**
     * Deletes up to {@code limit} attachments no message carries that are older than the sendable window and an
     * hour; returns how many.
     */
    int deleteOrphans(Handle h, int limit) {
        return h.createUpdate("DELETE FROM attachments WHERE id IN (SELECT a.id FROM attachments a "
                        + "WHERE a.created_at < now() - " + SENDABLE_WINDOW + " - interval '1 hour' "
                        + "AND NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.attachment_id = a.id) "
                        + "LIMIT :limit)")
                .bind("limit", limit)
                .execute();
    }

    /**
     * Deletes up to {@code limit} blobs no attachment names and no upload used within the hour, skipping rows an
     * upload holds right now; returns their hashes. The caller lets go of their bytes before this commits.
     */
    List<String> deleteUnusedBlobs(Handle h, int limit) {
        return h.createQuery("DELETE FROM attachment_blobs WHERE sha256 IN (SELECT b.sha256 FROM attachment_blobs b "
                        + "WHERE b.last_used_at < now() - interval '1 hour' "
                        + "AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256) "
                        + "LIMIT :limit FOR UPDATE SKIP LOCKED) RETURNING sha256")
                .bind("limit", limit)
                .mapTo(String.class)
                .list();
    }

    boolean blobExists(Handle h, String sha256) {
        return h.createQuery("SELECT EXISTS (SELECT 1 FROM attachment_blobs WHERE sha256 = :sha)")
                .bind("sha", sha256)
                .mapTo(Boolean.class)
                .one();
    }

    private static Attachment attachment(ResultSet rs) throws SQLException {
        return new Attachment(rs.getString("id"), rs.getString("filename"), rs.getString("content_type"),
                rs.getLong("size"), rs.getString("sha256"), rs.getTimestamp("created_at").toInstant());
    }
}
