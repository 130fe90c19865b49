package dev.courier.web;

import java.util.Optional;

/** Reads {@code Authorization: Bearer <token>}, the one form of credential every endpoint takes. */
public final class BearerToken {

    private BearerToken() {
    }

    public static Optional<String> from(String authorizationHeader) {
        if (authorizationHeader == null) {
            return Optional.empty();
        }
        String trimmed = authorizationHeader.trim();
        if (trimmed.length() > 7 && trimmed.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(trimmed.substring(7).trim());
        }
        return Optional.empty();
    }
}
