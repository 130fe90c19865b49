package dev.courier.stream;

import dev.courier.messages.AnswerScope;

/**
 * The answer scope of the message writers' publisher: the acks and deliveries of one committed batch are one
 * {@link CoalescedWrites} task, so each socket gets the frames of the batch in one write.
 */
public final class CoalescedAnswers implements AnswerScope {

    @Override
    public void run(Runnable answers) {
        CoalescedWrites.run(answers);
    }
}
