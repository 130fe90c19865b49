package dev.courier.attachments;

import dev.courier.db.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;

/**
 * Keeps the bytes in PostgreSQL, in {@code attachment_chunks} rows of {@link #CHUNK_BYTES}: the embedded one-command
 * server stays whole, and a backup of the database is a backup of everything. Chunks are written in the upload's
 * own transaction, so a failed upload leaves none, and read one at a time, so a download holds a connection for
 * one chunk's query at a time and a range reads only the chunks it covers.
 */
public final class PostgresBlobStore implements BlobStore {

    /** 256 KiB: a statement's worth that neither strains the heap nor makes a download a thousand queries. */
    static final int CHUNK_BYTES = 256 * 1024;
    /**
     * Where uploads wait for their transaction unless told otherwise: local disk, shared by the nodes of one machine
     * (each sweeps only files idle for an hour).
     */
    public static final Path DEFAULT_SPOOL = Path.of(System.getProperty("java.io.tmpdir"), "courier-attachment-spool");

    private final Database db;
    private final SpoolDirectory spool;

    /** {@code spoolDirectory}: where uploads wait for their transaction, on local disk. */
    public PostgresBlobStore(Database db, Path spoolDirectory) {
        this.db = db;
        this.spool = new SpoolDirectory(spoolDirectory);
    }

    @Override
    public Path spoolDirectory() {
        return spool.path();
    }

    @Override
    public boolean syncsSpool() {
        // the bytes become durable with the transaction's commit, not with the file
        return false;
    }

    @Override
    public boolean holds(Handle h, String sha256) {
        // the chunks are written with the blob's row and deleted with it
        return true;
    }

    @Override
    public void store(Handle h, String sha256, Path file, long size) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[CHUNK_BYTES];
            int idx = 0;
            int read;
            while ((read = in.readNBytes(chunk, 0, CHUNK_BYTES)) > 0) {
                byte[] data = read == CHUNK_BYTES ? chunk : java.util.Arrays.copyOf(chunk, read);
                h.createUpdate("INSERT INTO attachment_chunks (sha256, idx, data) VALUES (:sha, :idx, :data)")
                        .bind("sha", sha256)
                        .bind("idx", idx++)
                        .bind("data", data)
                        .execute();
            }
        }
    }

    @Override
    public InputStream open(String sha256, long offset, long length) {
        return new ChunkStream(sha256, offset, length);
    }

    @Override
    public void remove(Handle h, String sha256) {
        // ON DELETE CASCADE takes the chunks with the row
    }

    @Override
    public int removeStrays(Instant idleSince, Predicate<String> knownBlob) throws IOException {
        return spool.removeIdle(idleSince);
    }

    /** Reads a range chunk by chunk, each chunk one query on a connection held only for it. */
    private final class ChunkStream extends InputStream {

        private final String sha256;
        private long position;
        private final long end;
        private byte[] chunk = new byte[0];
        private int chunkOffset;

        ChunkStream(String sha256, long offset, long length) {
            this.sha256 = sha256;
            this.position = offset;
            this.end = offset + length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            if (position >= end) {
                return -1;
            }
            if (chunkOffset >= chunk.length) {
                int idx = (int) (position / CHUNK_BYTES);
                chunk = db.withHandle("attachments.readChunk", h -> h.createQuery(
                                "SELECT data FROM attachment_chunks WHERE sha256 = :sha AND idx = :idx")
                        .bind("sha", sha256)
                        .bind("idx", idx)
                        .mapTo(byte[].class)
                        .findOne()
                        .orElse(null));
                if (chunk == null) {
                    throw new IOException("chunk " + idx + " of blob " + sha256 + " is missing");
                }
                chunkOffset = (int) (position % CHUNK_BYTES);
            }
            int n = (int) Math.min(Math.min(len, chunk.length - chunkOffset), end - position);
            System.arraycopy(chunk, chunkOffset, buffer, off, n);
            chunkOffset += n;
            position += n;
            return n;
        }
    }
}
