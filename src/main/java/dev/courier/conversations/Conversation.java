package dev.courier.conversations;

import dev.courier.accounts.User;
import java.time.Instant;
import java.util.List;

/**
 * A conversation as one caller sees it: {@code readSeq} and {@code unread} are the caller's own. {@code title}
 * and {@code ownerId} are null for a direct conversation. {@code members} carry their presence (the caller shares
 * this conversation with each), and {@code readMarkers} hold every member's read position, in the order of
 * {@code members}.
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
        List<ReadMarker> readMarkers) {

    public static final String DIRECT = "direct";
    public static final String GROUP = "group";

    public List<Long> memberIds() {
        return members.stream().map(User::id).toList();
    }
}
