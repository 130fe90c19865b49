package dev.courier.search;

import dev.courier.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of search results ends: the id of its last message. Results come in store order, newest first, so the
 * next page is the matches below that id; messages stored meanwhile have higher ids and never shift a later page.
 * Opaque to clients.
 */
record SearchCursor(long beforeId) {

    private static final String VERSION = "s1:";

    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((VERSION + beforeId).getBytes(StandardCharsets.UTF_8));
    }

    static SearchCursor decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (raw.startsWith(VERSION)) {
                long id = Long.parseLong(raw.substring(VERSION.length()));
                if (id > 0) {
                    return new SearchCursor(id);
                }
            }
        } catch (RuntimeException e) {
            // falls through to validation_failed
        }
        throw ApiException.invalid("cursor", "cursor is not one this server gave out");
    }
}
