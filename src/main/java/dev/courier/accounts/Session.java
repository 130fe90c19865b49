package dev.courier.accounts;

import java.time.Instant;

/** An authenticated caller: the user and the hash of the token it presented (which logout revokes). */
public record Session(User user, byte[] tokenHash, Instant expiresAt) {
}
