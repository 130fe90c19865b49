package dev.courier.messages;

/**
 * Tells the statement that stores the next batch whether, and how, to announce its new messages to the other nodes
 * (see {@link MessageAnnouncement}). Asked once per batch by {@link BatchAppender}, on a writer thread. The
 * LISTEN/NOTIFY bus is one; {@link #NONE} serves where the bus carries stored messages itself.
 */
@FunctionalInterface
public interface AnnouncementSource {

    /** The storing statement announces nothing: the bus carries stored messages itself, or no other node listens. */
    AnnouncementSource NONE = () -> null;

    /** Where the next batch's statement announces its messages, or null for nowhere. */
    MessageAnnouncement messageAnnouncement();
}
