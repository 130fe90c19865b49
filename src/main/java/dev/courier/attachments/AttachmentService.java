package dev.courier.attachments;

import dev.courier.config.AttachmentConfig;
import dev.courier.db.Database;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import dev.courier.web.TextRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Uploads, who may read what, and which attachments a send may carry. An upload is spooled to disk first
 * ({@link UploadSpool}), without a database connection, however slowly the client sends it; only then does one
 * short transaction check the quota, store the bytes once per content ({@link BlobStore}) and make the attachment
 * visible. An upload that breaks off, or whose transaction fails, leaves nothing anyone can see.
 */
public final class AttachmentService implements SendableAttachments {

    static final int MAX_FILENAME_CODE_POINTS = 255;
    private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
    /**
     * Upload transactions at once on a node: two keep the pool's other connections for everything else, and on the
     * shared 2-core bench host twenty concurrent 25 MiB uploads were all stored within the wait below
     * (bench/results/2026-12-07-attachments.md).
     */
    private static final int STORING_AT_ONCE = 2;
    private static final Duration LONGEST_WAIT_TO_STORE = Duration.ofMinutes(2);
    /**
     * How long an upload's transaction waits for a lock: for another upload of the same content to commit its bytes
     * (seconds, not the pool's usual lock timeout), or for the uploader's other upload to pass its quota check.
     */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);
    /** type/subtype with optional parameters, RFC 9110 tokens; anything else is stored as octet-stream. */
    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "[A-Za-z0-9!#$&^_.+-]{1,64}/[A-Za-z0-9!#$&^_.+-]{1,64}(\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=(\"[^\"\\\\]*\"|[A-Za-z0-9!#$&^_.+-]+))*");

    private final Database db;
    private final AttachmentStore store = new AttachmentStore();
    private final BlobStore blobs;
    private final SpoolDirectory spool;
    private final AttachmentConfig config;
    private final StoreTurns turns = new StoreTurns(STORING_AT_ONCE, LONGEST_WAIT_TO_STORE);

    public AttachmentService(Database db, BlobStore blobs, AttachmentConfig config) {
        this.db = db;
        this.blobs = blobs;
        this.spool = new SpoolDirectory(blobs.spoolDirectory());
        this.config = config;
    }

    /**
     * Stores {@code body} as an attachment of {@code uploaderId}. {@code declaredLength} is the request's
     * {@code Content-Length}, or -1 when it is sent chunked.
     */
    public Attachment upload(long uploaderId, String filename, String contentType, long declaredLength,
                             InputStream body) throws IOException {
        String name = requireFilename(filename);
        String type = mediaType(contentType);
        if (declaredLength > config.maxBytes()) {
            throw UploadSpool.tooLarge(config.maxBytes());
        }
        if (declaredLength > 0) {
            long used = db.withHandle("attachments.usage", h -> store.usage(h, uploaderId));
            requireWithinQuota(used, declaredLength);
        }
        UploadSpool.Spooled spooled = UploadSpool.spool(body, spool, config.maxBytes(), blobs.syncsSpool());
        try {
            return turns.inTurn(() -> db.inTransaction("attachments.upload", h -> {
                store.waitForLocksUpTo(h, LOCK_WAIT);
                boolean fresh = store.claimBlob(h, spooled.sha256(), spooled.size());
                if (fresh || !blobs.holds(h, spooled.sha256())) {
                    try {
                        blobs.store(h, spooled.sha256(), spooled.file(), spooled.size());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                // the quota last: the uploader's lock is held for two statements, not for the bytes' hundred
                store.lockUploader(h, uploaderId);
                requireWithinQuota(store.usage(h, uploaderId), spooled.size());
                return store.insert(h, AttachmentIds.next(), uploaderId, spooled.sha256(), name, type,
                        spooled.size());
            }));
        } finally {
            Files.deleteIfExists(spooled.file());
        }
    }

    /** The attachment, if {@code userId} may read it; {@code 404} otherwise, existing or not. */
    public Attachment readable(long userId, String id) {
        if (!AttachmentIds.wellFormed(id)) {
            throw notFound();
        }
        return db.withHandle("attachments.readable", h -> store.readable(h, id, userId)).orElseThrow(
                AttachmentService::notFound);
    }

    /** The bytes {@code [offset, offset + length)} of an attachment already found readable. */
    public InputStream open(Attachment attachment, long offset, long length) throws IOException {
        return blobs.open(attachment.sha256(), offset, length);
    }

    @Override
    public List<Attachment> requireSendable(long senderId, List<String> ids) {
        if (ids.size() > MAX_PER_MESSAGE) {
            throw ApiException.invalid("attachments", "a message carries at most " + MAX_PER_MESSAGE + " attachments");
        }
        if (new HashSet<>(ids).size() != ids.size()) {
            throw ApiException.invalid("attachments", "an attachment may appear once in a message");
        }
        if (!ids.stream().allMatch(AttachmentIds::wellFormed)) {
            throw unknownAttachment();
        }
        List<Attachment> found = db.withHandle("attachments.sendable", h -> store.sendable(h, senderId, ids));
        if (found.size() != ids.size()) {
            throw unknownAttachment();
        }
        Map<String, Attachment> byId = new HashMap<>();
        found.forEach(a -> byId.put(a.id(), a));
        List<Attachment> ordered = new ArrayList<>(ids.size());
        ids.forEach(id -> ordered.add(byId.get(id)));
        return ordered;
    }

    private void requireWithinQuota(long used, long adding) {
        if (used + adding > config.quotaBytes()) {
            throw ApiException.of(ErrorCode.QUOTA_EXCEEDED, "this upload would take your attachments past your quota"
                    + " of " + config.quotaBytes() + " bytes (" + used + " used)");
        }
    }

    static String requireFilename(String filename) {
        if (filename == null) {
            throw ApiException.invalid("filename", "filename is required");
        }
        TextRules.requireLength("filename", filename, 1, MAX_FILENAME_CODE_POINTS);
        if (filename.codePoints().anyMatch(cp -> Character.isISOControl(cp) || cp == '/' || cp == '\\')
                || TextRules.isBlank(filename)) {
            throw ApiException.invalid("filename", "filename must be a file's name: no path, no control characters");
        }
        return filename;
    }

    /** The stored Content-Type: the one given when it is a media type, octet-stream otherwise. */
    static String mediaType(String contentType) {
        if (contentType == null || contentType.length() > 200 || !MEDIA_TYPE.matcher(contentType.trim()).matches()) {
            return DEFAULT_CONTENT_TYPE;
        }
        return contentType.trim();
    }

    private static ApiException unknownAttachment() {
        return ApiException.invalid("attachments", "each attachment must be one you uploaded");
    }

    private static ApiException notFound() {
        return ApiException.notFound("no such attachment");
    }
}
