package dev.courier.accounts;

import dev.courier.presence.UserPresence;
import java.time.Instant;

/**
 * A user as the contract shows it. {@code online} and {@code lastSeenAt} are shown only to someone who shares a
 * conversation with the user, and are null otherwise.
 */
public record User(long id, String username, String displayName, Instant createdAt, Boolean online,
                   Instant lastSeenAt) {

    /** A user whose presence is not shown. */
    public User(long id, String username, String displayName, Instant createdAt) {
        this(id, username, displayName, createdAt, null, null);
    }

    /** This user as seen by someone who shares a conversation with them. */
    public User withPresence(UserPresence presence) {
        return new User(id, username, displayName, createdAt, presence.online(), presence.lastSeenAt());
    }
}
