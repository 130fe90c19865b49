package dev.courier.conversations;

import dev.courier.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a page of the conversation list ends: the last conversation's activity time and id. Opaque to clients.
 */
record ConversationCursor(Instant lastActivityAt, long id) {

    String encode() {
        String raw = lastActivityAt.getEpochSecond() + ":" + lastActivityAt.getNano() + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static ConversationCursor decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] parts = raw.split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException();
            }
            return new ConversationCursor(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])),
                    Long.parseLong(parts[2]));
        } catch (RuntimeException e) {
            throw ApiException.invalid("cursor", "cursor is not one this server gave out");
        }
    }
}
