package dev.courier.attachments;

import dev.courier.config.AttachmentConfig;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The attachments contract with the bytes in a directory ({@code serve --attachments-dir}). */
class AttachmentsInDirectoryTest extends AttachmentsContract {

    private static final Path DIR = newDirectory();

    @RegisterExtension
    static final TestServerExtension SHARED_SERVER = TestServerExtension.configuredBy(config -> config
            .withFaultInjection(true)
            .withAttachments(AttachmentConfig.defaults().withMaxBytes(MAX_BYTES).withQuotaBytes(QUOTA_BYTES)
                    .withDirectory(DIR)));

    @SharedServer
    private static TestServer server;

    private static Path newDirectory() {
        try {
            return Files.createTempDirectory(Path.of("target"), "attachments-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    TestServer server() {
        return server;
    }

    @Override
    BlobStore blobStore() {
        return new DirectoryBlobStore(DIR);
    }

    @Override
    long storedPieces(String sha256) {
        return Files.isRegularFile(DIR.resolve(sha256.substring(0, 2)).resolve(sha256)) ? 1 : 0;
    }

    @Override
    long expectedPieces(long size) {
        return 1;
    }
}
