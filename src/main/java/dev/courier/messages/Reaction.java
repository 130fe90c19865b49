package dev.courier.messages;

import java.util.List;

/** One emoji on a message, with the users who reacted with it in the order they did. */
public record Reaction(String emoji, List<Long> userIds) {

    public Reaction {
        userIds = List.copyOf(userIds);
    }
}
