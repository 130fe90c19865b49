package dev.courier.bus;

import dev.courier.events.DomainEvent;

/** What a node does with the events the bus brings in, from every node of the deployment including itself. */
public interface BusListener {

    /** A committed event, decoded. */
    void onEvent(DomainEvent event);

    /**
     * Message {@code seq} of a conversation was committed, but its body did not fit the bus's payload limit: the
     * listener reads it from the table.
     */
    void onMessageCommitted(long conversationId, long seq);

    /**
     * Change {@code changeSeq} of a conversation's messages was committed, but the changed message did not fit the
     * bus's payload limit: the listener reads the conversation's changes from the table.
     */
    void onMessageChangeCommitted(long conversationId, long changeSeq);

    /**
     * The bus may have lost events (its connection was re-established): the listener must catch up from the
     * database before trusting the stream again.
     */
    void onPossibleLoss();

    /**
     * Runs the hand-over of events that arrived together (the messages of one batch another node stored). A listener
     * may gather their effects, as the stream hub writes each socket's frames of the batch at once; by default the
     * hand-over just runs.
     */
    default void together(Runnable handOver) {
        handOver.run();
    }
}
