package dev.courier.attachments;

import static dev.courier.testing.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The attachments contract, run once per storage mode ({@link AttachmentsInPostgresTest},
 * {@link AttachmentsInDirectoryTest}) on a real server and PostgreSQL. Each mode's server takes attachments up to
 * {@link #MAX_BYTES} and stores up to {@link #QUOTA_BYTES} per user.
 */
abstract class AttachmentsContract {

    static final long MAX_BYTES = 1L << 20;
    static final long QUOTA_BYTES = 3L << 20;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The mode's running server. */
    abstract TestServer server();

    /** A blob store of the same kind and place as the server's, for the sweeper and the leftovers on disk. */
    abstract BlobStore blobStore();

    /** How many places hold bytes of {@code sha256}: chunks in PostgreSQL, files in a directory. */
    abstract long storedPieces(String sha256);

    ApiClient api() {
        return server().client();
    }

    // ---------------------------------------------------------------- upload and download

    @Test
    void anUploadAnswersTheAttachmentAndItsUploaderDownloadsTheSameBytes() throws Exception {
        TestUser ada = api().newUser("ada");
        byte[] data = randomBytes(700_000, 1);

        Response uploaded = upload(ada, "holiday photo é.png", "image/png", data);

        assertThat(uploaded.status()).isEqualTo(201);
        JsonNode a = uploaded.json();
        assertThat(a.path("id").asText()).matches("[A-Za-z0-9_-]{22}");
        assertThat(a.path("filename").asText()).isEqualTo("holiday photo é.png");
        assertThat(a.path("contentType").asText()).isEqualTo("image/png");
        assertThat(a.path("size").asLong()).isEqualTo(data.length);
        assertThat(a.path("sha256").asText()).isEqualTo(sha256(data));
        assertThat(Instant.parse(a.path("createdAt").asText())).isBefore(Instant.now().plusSeconds(5));

        HttpResponse<byte[]> download = download(ada, a.path("id").asText(), Map.of());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(data);
        assertThat(download.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(download.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(download.headers().firstValue("ETag")).hasValue("\"" + sha256(data) + "\"");
        assertThat(download.headers().firstValue("Content-Disposition")).hasValue(
                "attachment; filename=\"holiday photo _.png\"; filename*=UTF-8''holiday%20photo%20%C3%A9.png");
    }

    @Test
    void anUploadWithoutAFilenameIsRefusedAndAnUnknownTypeIsStoredAsOctetStream() {
        TestUser ada = api().newUser("ada");
        Response noName = api().sendBytes("POST", "/v1/attachments", ada.token(), "text/plain", new byte[] {1});
        assertError(noName, 400, "validation_failed", "filename");
        Response pathName = upload(ada, "../etc/passwd", "text/plain", new byte[] {1});
        assertError(pathName, 400, "validation_failed", "filename");

        Response odd = upload(ada, "a.bin", "not a media type", new byte[] {1, 2});
        assertThat(odd.status()).isEqualTo(201);
        assertThat(odd.json().path("contentType").asText()).isEqualTo("application/octet-stream");
    }

    @Test
    void theSameContentUploadedTwiceIsStoredOnce() {
        TestUser ada = api().newUser("ada");
        TestUser bea = api().newUser("bea");
        byte[] data = randomBytes(300_000, 2);

        JsonNode first = upload(ada, "a.bin", "application/octet-stream", data).json();
        JsonNode second = upload(bea, "b.bin", "application/octet-stream", data).json();

        assertThat(first.path("id").asText()).isNotEqualTo(second.path("id").asText());
        assertThat(second.path("sha256").asText()).isEqualTo(first.path("sha256").asText());
        String sha = first.path("sha256").asText();
        assertThat(server().queryLong("SELECT count(*) FROM attachment_blobs WHERE sha256 = '" + sha + "'"))
                .isEqualTo(1);
        assertThat(storedPieces(sha)).isEqualTo(expectedPieces(data.length));
        assertThat(download(bea, second.path("id").asText(), Map.of()).body()).isEqualTo(data);
    }

    /** How many pieces this mode stores a blob of {@code size} bytes in. */
    abstract long expectedPieces(long size);

    @Test
    void rangesAndTheEtagAreAnsweredAsHttpAsks() throws Exception {
        TestUser ada = api().newUser("ada");
        byte[] data = randomBytes(600_000, 3);
        String id = upload(ada, "r.bin", "application/octet-stream", data).json().path("id").asText();
        String etag = "\"" + sha256(data) + "\"";

        // across the boundary of the first 256 KiB chunk
        HttpResponse<byte[]> middle = download(ada, id, Map.of("Range", "bytes=262140-262150"));
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.headers().firstValue("Content-Range")).hasValue("bytes 262140-262150/600000");
        assertThat(middle.body()).isEqualTo(slice(data, 262_140, 262_151));

        HttpResponse<byte[]> tail = download(ada, id, Map.of("Range", "bytes=-5"));
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(slice(data, 599_995, 600_000));

        HttpResponse<byte[]> open = download(ada, id, Map.of("Range", "bytes=599990-"));
        assertThat(open.headers().firstValue("Content-Range")).hasValue("bytes 599990-599999/600000");
        assertThat(open.body()).isEqualTo(slice(data, 599_990, 600_000));

        HttpResponse<byte[]> beyond = download(ada, id, Map.of("Range", "bytes=600000-"));
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */600000");

        HttpResponse<byte[]> several = download(ada, id, Map.of("Range", "bytes=0-1,5-6"));
        assertThat(several.statusCode()).as("several ranges: the whole file").isEqualTo(200);
        assertThat(several.body()).isEqualTo(data);

        HttpResponse<byte[]> unchanged = download(ada, id, Map.of("If-None-Match", etag));
        assertThat(unchanged.statusCode()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        HttpResponse<byte[]> otherVersion = download(ada, id, Map.of("If-None-Match", "\"other\""));
        assertThat(otherVersion.statusCode()).isEqualTo(200);

        HttpResponse<byte[]> staleIfRange = download(ada, id, Map.of("Range", "bytes=0-9", "If-Range", "\"old\""));
        assertThat(staleIfRange.statusCode()).isEqualTo(200);
        assertThat(staleIfRange.body()).hasSize(600_000);
    }

    @Test
    void anEmptyFileIsAnAttachmentToo() {
        TestUser ada = api().newUser("ada");
        JsonNode empty = upload(ada, "empty.txt", "text/plain", new byte[0]).json();
        assertThat(empty.path("size").asLong()).isZero();
        HttpResponse<byte[]> download = download(ada, empty.path("id").asText(), Map.of());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEmpty();
    }

    // ---------------------------------------------------------------- sending and privacy

    @Test
    void aMessageSentWithAttachmentsCarriesThemEverywhereAMessageIsShown() throws Exception {
        TestUser ada = api().newUser("ada");
        TestUser bea = api().newUser("bea");
        long c = api().direct(ada, bea);
        byte[] picture = randomBytes(40_000, 4);
        byte[] pdf = randomBytes(30_000, 5);
        JsonNode p1 = upload(ada, "cat.png", "image/png", picture).json();
        JsonNode p2 = upload(ada, "plan.pdf", "application/pdf", pdf).json();

        try (StreamClient beaStream = StreamClient.connect(server().baseUrl(), bea.token())) {
            Response sent = send(ada, c, "", List.of(p1.path("id").asText(), p2.path("id").asText()));

            assertThat(sent.status()).isEqualTo(201);
            assertThat(sent.json().path("body").asText()).isEmpty();
            assertThat(sent.json().path("attachments")).containsExactly(p1, p2);
            JsonNode frame = beaStream.nextOfType("message", WAIT);
            assertThat(frame.path("message").path("attachments")).containsExactly(p1, p2);
        }
        JsonNode history = api().get("/v1/conversations/" + c + "/messages", bea.token()).json();
        assertThat(history.path("messages").get(0).path("attachments")).containsExactly(p1, p2);
        assertThat(download(bea, p2.path("id").asText(), Map.of()).body()).isEqualTo(pdf);

        Response plain = api().sendMessage(ada, c, "no files");
        assertThat(plain.json().path("attachments").isArray()).isTrue();
        assertThat(plain.json().path("attachments")).isEmpty();
    }

    @Test
    void aSendOverTheSocketTakesAttachmentsAsRestDoes() throws Exception {
        TestUser ada = api().newUser("ada");
        TestUser bea = api().newUser("bea");
        long c = api().direct(ada, bea);
        JsonNode file = upload(ada, "notes.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8)).json();
        JsonNode others = upload(bea, "bea.txt", "text/plain", "hers".getBytes(StandardCharsets.UTF_8)).json();

        try (StreamClient adaStream = StreamClient.connect(server().baseUrl(), ada.token());
             StreamClient beaStream = StreamClient.connect(server().baseUrl(), bea.token())) {
            String clientMsgId = UUID.randomUUID().toString();
            adaStream.send(Map.of("type", "send", "conversationId", c, "clientMsgId", clientMsgId, "body", "",
                    "attachments", List.of(file.path("id").asText())));
            JsonNode ack = adaStream.nextOfType("ack", WAIT);
            assertThat(ack.path("message").path("attachments")).containsExactly(file);
            assertThat(beaStream.nextOfType("message", WAIT).path("message").path("attachments"))
                    .containsExactly(file);

            String refused = UUID.randomUUID().toString();
            adaStream.send(Map.of("type", "send", "conversationId", c, "clientMsgId", refused, "body", "x",
                    "attachments", List.of(others.path("id").asText())));
            JsonNode error = adaStream.nextOfType("error", WAIT);
            assertThat(error.path("clientMsgId").asText()).isEqualTo(refused);
            assertThat(error.path("error").path("code").asText()).isEqualTo("validation_failed");
            assertThat(error.path("error").path("field").asText()).isEqualTo("attachments");
        }
    }

    @Test
    void aSendNamingAnAttachmentThatIsNotTheSendersIsRefused() {
        TestUser ada = api().newUser("ada");
        TestUser bea = api().newUser("bea");
        long c = api().direct(ada, bea);
        String beas = upload(bea, "b.txt", "text/plain", new byte[] {1}).json().path("id").asText();
        String adas = upload(ada, "a.txt", "text/plain", new byte[] {2}).json().path("id").asText();

        assertError(send(ada, c, "x", List.of(beas)), 400, "validation_failed", "attachments");
        assertError(send(ada, c, "x", List.of("AAAAAAAAAAAAAAAAAAAAAA")), 400, "validation_failed", "attachments");
        assertError(send(ada, c, "x", List.of("not an id")), 400, "validation_failed", "attachments");
        assertError(send(ada, c, "x", List.of(adas, adas)), 400, "validation_failed", "attachments");
        List<String> eleven = IntStream.range(0, 11).mapToObj(i -> adas).toList();
        assertError(send(ada, c, "x", eleven), 400, "validation_failed", "attachments");
        assertError(send(ada, c, "", List.of()), 400, "validation_failed", "body");
        assertThat(api().get("/v1/conversations/" + c + "/messages", ada.token()).json().path("messages")).isEmpty();
    }

    @Test
    void aRetryWithOtherAttachmentsIsAReusedClientMsgId() {
        TestUser ada = api().newUser("ada");
        TestUser bea = api().newUser("bea");
        long c = api().direct(ada, bea);
        String one = upload(ada, "1.txt", "text/plain", new byte[] {1}).json().path("id").asText();
        String two = upload(ada, "2.txt", "text/plain", new byte[] {2}).json().path("id").asText();
        String clientMsgId = UUID.randomUUID().toString();

        assertThat(send(ada, c, clientMsgId, "x", List.of(one)).status()).isEqualTo(201);
        assertThat(send(ada, c, clientMsgId, "x", List.of(one)).status()).isEqualTo(200);
        assertError(send(ada, c, clientMsgId, "x", List.of(two)), 409, "client_msg_id_reused", "clientMsgId");
    }

    @Test
    void onlyTheUploaderAndCurrentMembersWhereItWasSentMayReadIt() {
        TestUser owner = api().newUser("own");
        TestUser member = api().newUser("mem");
        TestUser stranger = api().newUser("str");
        long group = api().group(owner, "files", member);
        String id = upload(owner, "secret.txt", "text/plain", "secret".getBytes(StandardCharsets.UTF_8))
                .json().path("id").asText();

        assertThat(download(member, id, Map.of()).statusCode()).as("not sent yet").isEqualTo(404);
        assertThat(send(owner, group, "here", List.of(id)).status()).isEqualTo(201);
        assertThat(download(member, id, Map.of()).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> strangers = download(stranger, id, Map.of());
        assertThat(strangers.statusCode()).isEqualTo(404);
        assertThat(new String(strangers.body(), StandardCharsets.UTF_8)).contains("not_found");
        assertThat(download(stranger, "AAAAAAAAAAAAAAAAAAAAAA", Map.of()).statusCode()).isEqualTo(404);

        assertThat(api().delete("/v1/conversations/" + group + "/members/" + member.id(), owner.token()).status())
                .isEqualTo(204);
        assertThat(download(member, id, Map.of()).statusCode()).as("removed from the group").isEqualTo(404);
        assertThat(download(owner, id, Map.of()).statusCode()).isEqualTo(200);
        assertThat(api().get("/v1/attachments/" + id, null).status()).isEqualTo(401);
    }

    @Test
    void deletingTheMessageTakesItsAttachmentsAwayFromTheMembers() {
        TestUser ada = api().newUser("ada");
        TestUser bea = api().newUser("bea");
        long c = api().direct(ada, bea);
        String id = upload(ada, "x.txt", "text/plain", new byte[] {9}).json().path("id").asText();
        long seq = send(ada, c, "x", List.of(id)).json().path("seq").asLong();
        assertThat(download(bea, id, Map.of()).statusCode()).isEqualTo(200);

        assertThat(api().deleteMessage(ada, c, seq).status()).isEqualTo(204);

        JsonNode tombstone = api().get("/v1/conversations/" + c + "/messages", bea.token()).json()
                .path("messages").get(0);
        assertThat(tombstone.path("attachments")).isEmpty();
        assertThat(download(bea, id, Map.of()).statusCode()).isEqualTo(404);
        assertThat(download(ada, id, Map.of()).statusCode()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- limits

    @Test
    void anUploadDeclaredOverTheLimitIsRefusedBeforeItsBodyIsSent() throws Exception {
        TestUser ada = api().newUser("ada");
        try (Socket socket = new Socket("127.0.0.1", server().port())) {
            socket.setSoTimeout(10_000);
            // a gibibyte declared, none of it sent: the answer cannot have waited for the body
            socket.getOutputStream().write(head(ada, "huge.bin", 1L << 30).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = readAnswer(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 413");
            assertThat(answer).contains("attachment_too_large").contains(String.valueOf(MAX_BYTES));
        }
        assertThat(server().queryLong("SELECT count(*) FROM attachments WHERE uploader_id = " + ada.id())).isZero();
    }

    @Test
    void aChunkedUploadIsCutOffAtTheLimit() {
        TestUser ada = api().newUser("ada");
        Set<Path> spoolBefore = spooled();

        Response over = api().sendChunked("POST", "/v1/attachments?filename=big.bin", ada.token(),
                "application/octet-stream", new byte[(int) MAX_BYTES + 1]);
        assertError(over, 413, "attachment_too_large", null);
        Response exactly = api().sendChunked("POST", "/v1/attachments?filename=fits.bin", ada.token(),
                "application/octet-stream", randomBytes((int) MAX_BYTES, 6));
        assertThat(exactly.status()).isEqualTo(201);
        assertThat(exactly.json().path("size").asLong()).isEqualTo(MAX_BYTES);
        assertThat(server().queryLong("SELECT count(*) FROM attachments WHERE uploader_id = " + ada.id()))
                .isEqualTo(1);
        assertThat(spooled()).isEqualTo(spoolBefore);
    }

    @Test
    void uploadsPastTheUsersQuotaAreRefused() {
        TestUser ada = api().newUser("ada");
        for (int i = 0; i < 3; i++) {
            assertThat(upload(ada, i + ".bin", "application/octet-stream", randomBytes((int) MAX_BYTES, 10 + i))
                    .status()).isEqualTo(201);
        }
        Response declared = upload(ada, "one-more.bin", "application/octet-stream", new byte[] {1});
        assertError(declared, 413, "quota_exceeded", null);
        Response chunked = api().sendChunked("POST", "/v1/attachments?filename=c.bin", ada.token(),
                "application/octet-stream", new byte[] {1});
        assertError(chunked, 413, "quota_exceeded", null);
        assertThat(upload(api().newUser("bea"), "b.bin", "text/plain", new byte[] {1}).status())
                .as("the quota is per user").isEqualTo(201);
    }

    @Test
    void concurrentUploadsOfOneUserNeverTogetherPassTheQuota() throws Exception {
        TestUser ada = api().newUser("ada");
        int uploads = 6; // of MAX_BYTES each against a quota of three
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Response>> answers = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < uploads; i++) {
                byte[] data = randomBytes((int) MAX_BYTES, 30 + i);
                String name = "race-" + i + ".bin";
                answers.add(pool.submit(() -> {
                    start.await();
                    return upload(ada, name, "application/octet-stream", data);
                }));
            }
            start.countDown();
        }
        List<Integer> statuses = new ArrayList<>();
        for (var answer : answers) {
            Response r = answer.get();
            statuses.add(r.status());
            if (r.status() != 201) {
                assertError(r, 413, "quota_exceeded", null);
            }
        }
        assertThat(statuses).filteredOn(status -> status == 201).hasSize((int) (QUOTA_BYTES / MAX_BYTES));
        assertThat(server().queryLong("SELECT coalesce(sum(size), 0) FROM attachments WHERE uploader_id = " + ada.id()))
                .isEqualTo(QUOTA_BYTES);
    }

    @Test
    void theJsonBodyLimitStillHoldsForEveryOtherRoute() {
        TestUser ada = api().newUser("ada");
        byte[] large = new byte[70_000];
        assertError(api().sendBytes("POST", "/v1/conversations", ada.token(), "application/json", large), 413,
                "payload_too_large", null);
    }

    // ---------------------------------------------------------------- faults

    @Test
    void anUploadTheClientBreaksOffLeavesNothingBehind() throws Exception {
        TestUser ada = api().newUser("ada");
        Set<Path> spoolBefore = spooled();
        try (Socket socket = new Socket("127.0.0.1", server().port())) {
            OutputStream out = socket.getOutputStream();
            out.write(head(ada, "broken.bin", 800_000).getBytes(StandardCharsets.US_ASCII));
            out.write(randomBytes(300_000, 7));
            out.flush();
            awaitTrue(() -> spooled().size() > spoolBefore.size(), "the body is being spooled");
        }
        awaitTrue(() -> spooled().equals(spoolBefore), "the spooled part is deleted");
        assertThat(server().queryLong("SELECT count(*) FROM attachments WHERE uploader_id = " + ada.id())).isZero();
        assertThat(upload(ada, "after.bin", "text/plain", new byte[] {1}).status()).isEqualTo(201);
    }

    @Test
    void anUploadDuringADatabaseOutageIsRefusedAndLeavesNothingBehind() throws Exception {
        TestUser ada = api().newUser("ada");
        Set<Path> spoolBefore = spooled();
        byte[] data = randomBytes(500_000, 8);
        try (Socket socket = new Socket("127.0.0.1", server().port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head(ada, "outage.bin", data.length).getBytes(StandardCharsets.US_ASCII));
            out.write(data, 0, 200_000);
            out.flush();
            awaitTrue(() -> spooled().size() > spoolBefore.size(), "the body is being spooled");
            setDatabaseDown(true);
            try {
                out.write(data, 200_000, data.length - 200_000);
                out.flush();
                String answer = readAnswer(socket.getInputStream());
                assertThat(answer).startsWith("HTTP/1.1 503").contains("unavailable");
            } finally {
                setDatabaseDown(false);
            }
        }
        assertThat(spooled()).isEqualTo(spoolBefore);
        assertThat(server().queryLong("SELECT count(*) FROM attachments WHERE uploader_id = " + ada.id())).isZero();
        assertThat(server().queryLong("SELECT count(*) FROM attachment_blobs WHERE sha256 = '" + sha256(data) + "'"))
                .isZero();
        assertThat(storedPieces(sha256(data))).isZero();
        Response again = upload(ada, "outage.bin", "application/octet-stream", data);
        assertThat(again.status()).as("the same upload once the database is back").isEqualTo(201);
    }

    @Test
    void anUploadWhoseTransactionFailsAfterItsBytesWereWrittenLeavesNothingVisible() throws Exception {
        TestUser ada = api().newUser("ada");
        byte[] data = randomBytes(400_000, 9);
        String sha = sha256(data);
        String constraint = "refuse_" + ada.id();
        // the last statement of the upload's transaction fails, after the bytes went to the store
        server().execute("ALTER TABLE attachments ADD CONSTRAINT " + constraint + " CHECK (filename <> 'doomed-"
                + ada.id() + ".bin') NOT VALID");
        try {
            Response failed = upload(ada, "doomed-" + ada.id() + ".bin", "application/octet-stream", data);
            assertThat(failed.status()).isEqualTo(500);
        } finally {
            server().execute("ALTER TABLE attachments DROP CONSTRAINT " + constraint);
        }
        assertThat(server().queryLong("SELECT count(*) FROM attachments WHERE uploader_id = " + ada.id())).isZero();
        assertThat(server().queryLong("SELECT count(*) FROM attachment_blobs WHERE sha256 = '" + sha + "'")).isZero();
        // PostgreSQL took the chunks back with the transaction; a file renamed into place is a stray for the sweeper
        new AttachmentSweeper(server().server().database(), blobStore(), Duration.ofDays(1))
                .sweep(Instant.now().plusSeconds(60));
        assertThat(storedPieces(sha)).isZero();
        JsonNode stored = upload(ada, "fine.bin", "application/octet-stream", data).json();
        assertThat(download(ada, stored.path("id").asText(), Map.of()).body()).isEqualTo(data);
    }

    // ---------------------------------------------------------------- orphans

    @Test
    void theSweeperRemovesAttachmentsNeverSentAndKeepsThoseSent() throws Exception {
        TestUser ada = api().newUser("ada");
        TestUser bea = api().newUser("bea");
        long c = api().direct(ada, bea);
        byte[] orphanData = randomBytes(300_000, 20);
        byte[] sentData = randomBytes(1000, 21);
        String orphan = upload(ada, "orphan.bin", "application/octet-stream", orphanData).json().path("id").asText();
        String kept = upload(ada, "sent.bin", "application/octet-stream", sentData).json().path("id").asText();
        String late = upload(ada, "late.bin", "application/octet-stream", new byte[] {5}).json().path("id").asText();
        assertThat(send(ada, c, "x", List.of(kept)).status()).isEqualTo(201);
        server().execute("UPDATE attachments SET created_at = now() - interval '26 hours' WHERE id IN ('" + orphan
                + "', '" + kept + "')");
        server().execute("UPDATE attachments SET created_at = now() - interval '24 hours 10 minutes' WHERE id = '"
                + late + "'");
        server().execute("UPDATE attachment_blobs SET last_used_at = now() - interval '2 hours' WHERE sha256 IN ('"
                + sha256(orphanData) + "', '" + sha256(sentData) + "')");
        Path leftover = Files.createTempFile(blobStore().spoolDirectory(), "upload-", ".part");
        Files.setLastModifiedTime(leftover, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

        assertError(send(ada, c, "too late", List.of(late)), 400, "validation_failed", "attachments");
        AttachmentSweeper.Swept swept = new AttachmentSweeper(server().server().database(), blobStore(),
                Duration.ofDays(1)).sweep(Instant.now().minus(AttachmentSweeper.STRAY_AFTER));

        assertThat(swept.attachments()).isGreaterThanOrEqualTo(1);
        assertThat(download(ada, orphan, Map.of()).statusCode()).isEqualTo(404);
        assertThat(server().queryLong("SELECT count(*) FROM attachment_blobs WHERE sha256 = '" + sha256(orphanData)
                + "'")).isZero();
        assertThat(storedPieces(sha256(orphanData))).isZero();
        assertThat(download(bea, kept, Map.of()).body()).isEqualTo(sentData);
        assertThat(download(ada, late, Map.of()).statusCode()).as("within the hour after its 24").isEqualTo(200);
        assertThat(leftover).doesNotExist();
    }

    // ---------------------------------------------------------------- helpers

    Response upload(TestUser user, String filename, String contentType, byte[] data) {
        return api().sendBytes("POST", "/v1/attachments?filename=" + encode(filename), user.token(), contentType,
                data);
    }

    Response send(TestUser sender, long conversation, String body, List<String> attachments) {
        return send(sender, conversation, UUID.randomUUID().toString(), body, attachments);
    }

    Response send(TestUser sender, long conversation, String clientMsgId, String body, List<String> attachments) {
        return api().post("/v1/conversations/" + conversation + "/messages", sender.token(),
                Map.of("clientMsgId", clientMsgId, "body", body, "attachments", attachments));
    }

    HttpResponse<byte[]> download(TestUser user, String id, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server().baseUrl() + "/v1/attachments/" + id))
                .header("Authorization", "Bearer " + user.token()).timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Switches the outage; back up, returns once the server is ready again. */
    private void setDatabaseDown(boolean down) throws InterruptedException {
        Response r = api().put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("databaseDown", down));
        assertThat(r.status()).as("fault switch " + r).isEqualTo(200);
        if (!down) {
            awaitTrue(() -> api().get("/health/ready", null).status() == 200, "ready after the outage");
        }
    }

    private Set<Path> spooled() {
        try (Stream<Path> files = Files.list(blobStore().spoolDirectory())) {
            return files.collect(Collectors.toSet());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String head(TestUser user, String filename, long length) {
        return "POST /v1/attachments?filename=" + encode(filename) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer " + user.token() + "\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + length + "\r\n\r\n";
    }

    /** The status line, headers and as much of the body as arrives before the server closes or goes quiet. */
    private static String readAnswer(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        StringBuilder answer = new StringBuilder();
        int read;
        try {
            while ((read = in.read(buffer)) > 0) {
                answer.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
                if (answer.indexOf("\r\n\r\n") >= 0 && answer.indexOf("}}") >= 0) {
                    break;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            // what arrived is the answer
        }
        return answer.toString();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] slice(byte[] data, int from, int to) {
        byte[] part = new byte[to - from];
        System.arraycopy(data, from, part, 0, part.length);
        return part;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
