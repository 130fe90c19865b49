package dev.courier.search;

import dev.courier.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of search results ends: the id and seq of its last message. Results come newest first (by id across
 * conversations, by seq within one), so the next page is the matches below that message; messages stored meanwhile
 * come after it and never shift a later page. Opaque to clients.
 */
record SearchCursor(long beforeId, long beforeSeq) {

    /** The first page's: before every message. */
    static final SearchCursor START = new SearchCursor(Long.MAX_VALUE, Long.MAX_VALUE);

    private static final String VERSION = "s1:";

    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((VERSION + beforeId + ":" + beforeSeq).getBytes(StandardCharsets.UTF_8));
    }

    static SearchCursor decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (raw.startsWith(VERSION)) {
                String[] parts = raw.substring(VERSION.length()).split(":", -1);
                long id = Long.parseLong(parts[0]);
                long seq = Long.parseLong(parts[1]);
                if (parts.length == 2 && id > 0 && seq > 0) {
                    return new SearchCursor(id, seq);
                }
            }
        } catch (RuntimeException e) {
            // falls through to validation_failed
        }
        throw ApiException.invalid("cursor", "cursor is not one this server gave out");
    }
}
