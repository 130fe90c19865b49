package dev.courier.attachments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.courier.web.Json;
import java.time.Instant;
import java.util.List;

/**
 * An uploaded file as the contract shows it, alone and in a message's {@code attachments}. It never changes once
 * uploaded, which is why a message may keep a copy of it ({@link #stored}).
 *
 * @param id     22 characters of base64url: 128 random bits ({@link AttachmentIds})
 * @param sha256 the content's SHA-256, lower-case hex; also the download's {@code ETag}
 */
public record Attachment(String id, String filename, String contentType, long size, String sha256,
                         Instant createdAt) {

    private static final TypeReference<List<Attachment>> LIST = new TypeReference<>() {
    };
    private static final String NONE = "[]";

    /** The stored form of a message's attachments (the {@code messages.attachments} column): the contract's JSON. */
    public static String stored(List<Attachment> attachments) {
        return Json.write(attachments);
    }

    /** A message's attachments from their stored form; a message without any costs no parse. */
    public static List<Attachment> parse(String stored) {
        if (stored == null || stored.equals(NONE)) {
            return List.of();
        }
        try {
            return Json.mapper().readValue(stored, LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a message's stored attachments do not parse", e);
        }
    }
}
