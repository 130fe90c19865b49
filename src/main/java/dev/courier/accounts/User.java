package dev.courier.accounts;

import java.time.Instant;

/** A user as the contract shows it. */
public record User(long id, String username, String displayName, Instant createdAt) {
}
