package dev.courier.conversations;

/** How far a member has read a conversation: every message up to {@code seq}. */
public record ReadMarker(long userId, long seq) {
}
