package dev.courier.stream;

import dev.courier.conversations.ConversationService;
import dev.courier.conversations.ConversationStore;
import dev.courier.db.BatchedLookup;
import dev.courier.db.Database;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;

/**
 * Where each conversation of a user stands ({@code last_seq} and last change), read when a stream of the user opens
 * so that its cursors start there: a batch of users at a time ({@link BatchedLookup}). When every client of a node
 * reconnects at once, thousands of streams open within a second, and each would otherwise borrow a connection of its
 * own for this read; here they share one statement per batch, and the devices of one user one read.
 */
final class OpeningCounters {

    /** Users per statement: each brings its memberships, a few to a few hundred rows. */
    static final int MAX_BATCH = 200;
    /** Statements at once: the rest of the pool is the message writers' and the requests'. */
    static final int CONCURRENCY = 2;

    private final BatchedLookup<Long, Map<Long, ConversationStore.Counters>> lookups;

    OpeningCounters(ConversationService conversations, Database database, MeterRegistry meters) {
        this.lookups = new BatchedLookup<>("stream_counters", conversations::countersOfMembers, MAX_BATCH,
                CONCURRENCY, database.acquireTimeout(), () -> database.refuseIfSaturated("stream.lastSeqsOfMember"),
                meters);
    }

    /** The counters of every conversation of {@code userId}, by id; empty for a user in none. */
    Map<Long, ConversationStore.Counters> of(long userId) {
        return lookups.get(userId).orElse(Map.of());
    }
}
