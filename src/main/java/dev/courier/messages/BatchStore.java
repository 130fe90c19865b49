package dev.courier.messages;

import dev.courier.web.ApiException;
import java.util.List;

/**
 * Where a message writer stores the batch of sends it took: in one transaction, so that one commit answers all of
 * them. {@link BatchAppender} stores it with {@code append_messages}.
 */
@FunctionalInterface
interface BatchStore {

    /** What one send of the batch came to: a message (new or found) or a contract error. */
    record Outcome(PendingSend send, MessageService.Sent sent, ApiException error) {

        /** Whether this send stored its message now (not a retry finding the first one, nor a refusal). */
        boolean storedNow() {
            return sent != null && sent.created();
        }
    }

    /**
     * Stores {@code batch} and returns one outcome per send, in the batch's order, once it has committed. A failure
     * of the whole batch (the database, not a send's contract error) is thrown.
     */
    List<Outcome> append(List<PendingSend> batch);
}
