package dev.courier.attachments;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;

/**
 * Where the bytes of each distinct content live, named by its SHA-256. The metadata (which blobs exist, who
 * uploaded what, who may read it) is always in PostgreSQL ({@link AttachmentStore}); a store keeps only bytes.
 * {@link PostgresBlobStore} keeps them in {@code attachment_chunks}, {@link DirectoryBlobStore} in files. An
 * S3-compatible store would be a third implementation (docs/api.md, "Attachments", says what changes).
 *
 * <p>An upload first spools its body to a file in {@link #spoolDirectory()} (hashing it on the way), then, in the
 * transaction that makes the upload visible, inserts the blob's row and calls {@link #store} when the bytes are not
 * there yet. A store must keep nothing visible when that transaction rolls back, or keep what it wrote where
 * {@link #removeStrays} finds it.
 */
public interface BlobStore {

    /** Where uploads spool their bodies: on the store's own file system when it keeps files, so a rename moves one. */
    Path spoolDirectory();

    /** Whether a spooled file must be forced to disk before {@link #store}: a renamed file is durable only then. */
    boolean syncsSpool();

    /** Whether the bytes of {@code sha256}, whose row exists, are held; asked when an upload finds the row there. */
    boolean holds(Handle h, String sha256);

    /**
     * Takes the bytes of {@code file} (exactly {@code size} of them, hashing to {@code sha256}) in the transaction
     * of {@code h}. The caller deletes {@code file} afterwards if it is still there.
     */
    void store(Handle h, String sha256, Path file, long size) throws IOException;

    /** The bytes {@code [offset, offset + length)} of a blob; the stream reads them as it is read. */
    InputStream open(String sha256, long offset, long length) throws IOException;

    /** Called in the transaction that deletes the row of {@code sha256}, before it commits: let go of its bytes. */
    void remove(Handle h, String sha256) throws IOException;

    /**
     * Removes what uploads left behind: spooled files untouched since {@code idleSince} (a node killed mid-upload)
     * and bytes of no known blob written before it. Returns how many it removed.
     */
    int removeStrays(Instant idleSince, Predicate<String> knownBlob) throws IOException;
}
