package dev.courier.messages;

import java.util.List;

/**
 * What becomes of the messages a committed batch stored: the message writers' publisher hands them over once per
 * batch, in commit order, right after it has answered the batch's sends and inside the same {@link AnswerScope}.
 * The composition root passes {@link MessageStoredEvents}, which tells this node's streams and the other nodes.
 *
 * <p>Called on the one publisher thread, so a slow publication holds up the answers to later batches. A failure is
 * logged and the publisher goes on: the messages are committed, and clients catch up from history.
 */
@FunctionalInterface
public interface CommitPublisher {

    /** {@code stored}: the batch's new messages in the batch's order (a retried send's message is not among them). */
    void publish(List<Message> stored);
}
