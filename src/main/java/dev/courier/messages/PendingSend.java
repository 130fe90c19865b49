package dev.courier.messages;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** One validated send waiting for its batch to commit. The future completes only after the commit. */
record PendingSend(long senderId, long conversationId, UUID clientMsgId, String body,
                   CompletableFuture<MessageService.Sent> result) {

    /** Identity of a send for idempotency: one sender's clientMsgId. */
    record Key(long senderId, UUID clientMsgId) {
    }

    Key key() {
        return new Key(senderId, clientMsgId);
    }
}
