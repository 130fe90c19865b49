package dev.courier.messages;

import dev.courier.db.Database;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * Stores a batch of sends, possibly for several conversations, in one transaction: check membership, resolve
 * retries of an earlier clientMsgId, claim one block of seqs per conversation with a single
 * {@code last_seq = last_seq + n}, and insert every new row at once. One commit acknowledges the whole batch,
 * which is what lets PostgreSQL take many more messages per second than one transaction per message.
 *
 * <p>Seqs stay gapless: the counter and the rows change in the same transaction, and a retry is decided before
 * any seq is claimed.
 */
final class BatchAppender {

    /** What one send in the batch came to: a message (new or found) or a contract error. */
    record Outcome(PendingSend send, MessageService.Sent sent, ApiException error) {
    }

    /** A concurrent request (on another node) stored one of our clientMsgIds first; redo the batch. */
    static final class ConcurrentRetry extends RuntimeException {
        ConcurrentRetry() {
            super(null, null, false, false);
        }
    }

    private final Database db;
    private final MessageStore store;

    BatchAppender(Database db, MessageStore store) {
        this.db = db;
        this.store = store;
    }

    List<Outcome> append(List<PendingSend> batch) {
        try {
            return db.inTransaction("messages.send", h -> appendInTransaction(h, batch));
        } catch (ConcurrentRetry e) {
            // The rows that collided are committed now, so the second pass finds them as retries.
            return db.inTransaction("messages.send", h -> appendInTransaction(h, batch));
        }
    }

    private List<Outcome> appendInTransaction(Handle h, List<PendingSend> batch) {
        Set<MessageStore.Membership> members = store.memberships(h, batch);
        Map<PendingSend.Key, Message> stored = store.byKeys(h, batch);

        Outcome[] outcomes = new Outcome[batch.size()];
        Map<PendingSend.Key, Integer> firstNewIndex = new HashMap<>();
        Map<Long, List<Integer>> newByConversation = new TreeMap<>();
        for (int i = 0; i < batch.size(); i++) {
            PendingSend send = batch.get(i);
            if (!members.contains(new MessageStore.Membership(send.conversationId(), send.senderId()))) {
                outcomes[i] = new Outcome(send, null, ApiException.notFound("no such conversation"));
            } else if (stored.containsKey(send.key())) {
                outcomes[i] = resolveRetry(send, stored.get(send.key()));
            } else if (!firstNewIndex.containsKey(send.key())) {
                firstNewIndex.put(send.key(), i);
                newByConversation.computeIfAbsent(send.conversationId(), c -> new ArrayList<>()).add(i);
            }
        }

        if (!newByConversation.isEmpty()) {
            Map<Long, Integer> counts = new LinkedHashMap<>();
            newByConversation.forEach((conversation, indexes) -> counts.put(conversation, indexes.size()));
            Map<Long, Long> lastSeqs = store.claimSeqBlocks(h, counts);
            List<MessageStore.NewRow> rows = new ArrayList<>();
            newByConversation.forEach((conversation, indexes) -> {
                long seq = lastSeqs.get(conversation) - indexes.size();
                for (int index : indexes) {
                    PendingSend send = batch.get(index);
                    rows.add(new MessageStore.NewRow(send.conversationId(), ++seq, send.senderId(),
                            send.clientMsgId(), send.body()));
                }
            });
            Map<PendingSend.Key, Message> inserted = store.insertAll(h, rows);
            if (inserted.size() != rows.size()) {
                throw new ConcurrentRetry();
            }
            for (int i = 0; i < batch.size(); i++) {
                if (outcomes[i] != null) {
                    continue;
                }
                PendingSend send = batch.get(i);
                Message message = inserted.get(send.key());
                outcomes[i] = firstNewIndex.get(send.key()) == i
                        ? new Outcome(send, new MessageService.Sent(message, true), null)
                        : resolveRetry(send, message);
            }
        }
        return List.of(outcomes);
    }

    /** A clientMsgId seen before: the same request answers with the first message, another one conflicts. */
    private static Outcome resolveRetry(PendingSend send, Message first) {
        if (first.conversationId() != send.conversationId() || !first.body().equals(send.body())) {
            return new Outcome(send, null, new ApiException(ErrorCode.CLIENT_MSG_ID_REUSED,
                    "clientMsgId was already used for a different message", "clientMsgId", 0));
        }
        return new Outcome(send, new MessageService.Sent(first, false), null);
    }
}
