package dev.courier.messages;

/**
 * Runs, as one task, the answers to a committed batch of sends and the publication of its messages. The composition
 * root passes the stream layer's ({@code stream.CoalescedAnswers}), which writes each socket's frames of the task
 * together; {@code Runnable::run} only runs the task.
 */
@FunctionalInterface
public interface AnswerScope {

    void run(Runnable answers);
}
