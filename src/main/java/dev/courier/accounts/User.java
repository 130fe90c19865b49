package dev.courier.accounts;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.courier.presence.UserPresence;
import java.time.Instant;

/**
 * A user as the contract shows it. {@code online} and {@code lastSeenAt} are shown only to someone who shares a
 * conversation with the user, and are null otherwise. {@code deleted} appears only once the user deleted the account
 * (a v1 client never sees a field it does not know for a user that exists); the display name is then
 * {@link #DELETED_DISPLAY_NAME}, stored so, so that every place that shows a user shows it without knowing why.
 */
public record User(long id, String username, String displayName, Instant createdAt, Boolean online,
                   Instant lastSeenAt, @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean deleted) {

    public static final String DELETED_DISPLAY_NAME = "Deleted user";

    /** A user whose presence is not shown. */
    public User(long id, String username, String displayName, Instant createdAt) {
        this(id, username, displayName, createdAt, null, null, false);
    }

    /** This user as seen by someone who shares a conversation with them. */
    public User withPresence(UserPresence presence) {
        return new User(id, username, displayName, createdAt, presence.online(), presence.lastSeenAt(), deleted);
    }
}
