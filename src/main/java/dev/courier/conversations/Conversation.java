package dev.courier.conversations;

import dev.courier.accounts.User;
import java.time.Instant;
import java.util.List;

/**
 * A conversation as one caller sees it: {@code readSeq}, {@code unread} and {@code unreadMentions} are the caller's
 * own. {@code title} and {@code ownerId} are null for a direct conversation. {@code members} carry their presence
 * (the caller shares this conversation with each), and {@code readMarkers} hold every member's read position, in the
 * order of {@code members}.
 *
 * @param unreadMentions the caller's unread messages (other members' messages beyond {@code readSeq}) that mention
 *                       the caller
 * @param lastChangeSeq  the conversation's change counter: how many edits, deletes and reaction changes it has had
 */
public record Conversation(
        long id,
        String type,
        String title,
        Long ownerId,
        List<User> members,
        Instant createdAt,
        long lastSeq,
        long readSeq,
        long unread,
        long unreadMentions,
        long lastChangeSeq,
        List<ReadMarker> readMarkers) {

    public static final String DIRECT = "direct";
    public static final String GROUP = "group";

    public List<Long> memberIds() {
        return members.stream().map(User::id).toList();
    }
}
