package dev.courier.attachments;

import dev.courier.config.AttachmentConfig;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The attachments contract with the bytes in PostgreSQL, the default. */
class AttachmentsInPostgresTest extends AttachmentsContract {

    @RegisterExtension
    static final TestServerExtension SHARED_SERVER = TestServerExtension.configuredBy(config -> config
            .withFaultInjection(true)
            .withAttachments(AttachmentConfig.defaults().withMaxBytes(MAX_BYTES).withQuotaBytes(QUOTA_BYTES)));

    @SharedServer
    private static TestServer server;

    @Override
    TestServer server() {
        return server;
    }

    @Override
    BlobStore blobStore() {
        return new PostgresBlobStore(server.server().database(), PostgresBlobStore.DEFAULT_SPOOL);
    }

    @Override
    long storedPieces(String sha256) {
        return server.queryLong("SELECT count(*) FROM attachment_chunks WHERE sha256 = '" + sha256 + "'");
    }

    @Override
    long expectedPieces(long size) {
        return (size + PostgresBlobStore.CHUNK_BYTES - 1) / PostgresBlobStore.CHUNK_BYTES;
    }
}
