package dev.courier.accounts;

import java.time.Instant;

/**
 * A session as its user sees it in {@code GET /v1/me/sessions}: never its token or the token's hash.
 * {@code lastUsedAt} is at most a minute and some seconds behind ({@link SessionActivity}).
 */
public record SessionInfo(long id, Instant createdAt, Instant lastUsedAt, String userAgent, String address,
                          boolean current) {
}
