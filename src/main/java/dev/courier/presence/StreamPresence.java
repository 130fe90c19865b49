package dev.courier.presence;

import java.util.Collection;
import java.util.List;

/**
 * What crosses between a node's streams and presence: the stream hub says when a user's first stream on this node
 * opens and when the last one closes, and reads the presence it routes to the users who share a conversation.
 * Both notices must be cheap and must not block: the hub gives them while it registers the connection.
 */
public interface StreamPresence {

    /** The user had no open stream on this node and now has one. */
    void firstStreamOpened(long userId);

    /** The user's last open stream on this node closed. */
    void lastStreamClosed(long userId);

    /** The presence of each of these users now, in the order given. */
    List<UserPresence> current(Collection<Long> userIds);
}
