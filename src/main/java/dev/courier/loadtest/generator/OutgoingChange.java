package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.VirtualUser;

/** One change of a run, to message {@code seq} of a conversation, made by {@code actor}. */
sealed interface OutgoingChange {

    long conversationId();

    long seq();

    VirtualUser actor();

    /** A new body, by the message's sender. */
    record Edit(long conversationId, long seq, VirtualUser actor, String body) implements OutgoingChange {
    }

    /** A member's emoji, given ({@code PUT}) or, when it was given before, taken back ({@code DELETE}). */
    record Reaction(long conversationId, long seq, VirtualUser actor, String emoji, boolean takeBack)
            implements OutgoingChange {
    }
}
