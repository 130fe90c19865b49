package dev.courier.messages;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * What else must go when messages become tombstones in bulk (retention, the erasure of a deleted account): called in
 * the transaction that tombstones them, with the ids of the messages just tombstoned, so that whatever only they referenced
 * is removed in the same commit or not at all. Attachments that no live message references any more are the case in
 * view; a follower must stay as quick as the batch it joins, which holds its rows' locks until it returns.
 */
@FunctionalInterface
public interface TombstoneFollower {

    void tombstoned(Handle h, List<Long> messageIds);

    /** Nothing else to remove. */
    TombstoneFollower NONE = (h, messageIds) -> { };
}
