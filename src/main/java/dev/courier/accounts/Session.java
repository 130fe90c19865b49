package dev.courier.accounts;

import java.time.Instant;

/**
 * An authenticated caller: the user, the hash of the token it presented (which logout revokes), and whether an
 * operator deactivated the user since (the token then answers {@code 403 account_deactivated}, not {@code 401}).
 */
public record Session(User user, byte[] tokenHash, Instant expiresAt, boolean deactivated) {

    public Session(User user, byte[] tokenHash, Instant expiresAt) {
        this(user, tokenHash, expiresAt, false);
    }
}
