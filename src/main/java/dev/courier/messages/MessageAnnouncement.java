package dev.courier.messages;

/**
 * Where the statement that stores a batch also announces its new messages to the other nodes: a LISTEN/NOTIFY
 * {@code channel}, with the storing node's {@code origin} at the head of every payload (see {@code append_messages}
 * and {@code message_announcements} in R__append_messages.sql). The announcement commits, or rolls back, with the rows.
 */
public record MessageAnnouncement(String channel, String origin) {
}
