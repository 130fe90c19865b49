package dev.courier.presence;

import java.time.Instant;

/**
 * Whether a user is online, as the other users were last told.
 *
 * @param lastSeenAt while online, when the user came online; once offline, when the user was last seen; null for
 *                   a user who never had a stream
 */
public record UserPresence(long userId, boolean online, Instant lastSeenAt) {
}
