package dev.courier.search;

import dev.courier.db.Database;
import dev.courier.ops.MetricNames;
import dev.courier.platform.PeriodicTask;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the words of newly stored messages from the search index's pending list into the index proper, every
 * second, on a connection of its own.
 *
 * <p>A send adds its message's words to {@code messages_search_idx}'s pending list (GIN's fast update: appending is
 * cheap, merging is done in bulk). Left alone, the merge is done by whichever insert finds the list over
 * {@code gin_pending_list_limit}: a message writer, which then stores nothing else for the hundreds of milliseconds
 * the merge of a few megabytes takes, while every send of its batch and queue waits. That was the send path's worst
 * latency spike at a few thousand messages a second (bench/results/2026-12-07-search-merge.md). PostgreSQL's own
 * answers are autovacuum, which merges the list too but on its own schedule (and may be off), and
 * {@code fastupdate = off}, which pays the merge on every insert (a third of the send rate in the same bench). Merging
 * here every second keeps the list at a second's worth of words, so a merge is short, no send ever performs one, and
 * searches, which read the pending list without its index, stay fast.
 *
 * <p>Every node merges; a transaction-level advisory lock lets one do it at a time, since a second merger would only
 * wait for the first one's lock on the index, holding a connection for nothing. The lock lasts one transaction, so it
 * works through PgBouncer in transaction mode.
 */
public final class PendingWordsMerger implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PendingWordsMerger.class);
    /** How often the list is merged: its length in time, and so the longest a merge lasts at a steady rate. */
    public static final Duration EVERY = Duration.ofSeconds(1);
    /** The advisory lock key of the merge, the same on every node ("search-m" in ASCII). */
    static final long LOCK_KEY = 0x7365617263682d6dL;
    /** What {@link #mergeOnce} answers when another node held the lock. */
    public static final long MERGED_ELSEWHERE = -1;

    private final Database db;
    private final Counter pagesMerged;
    private final Timer merges;
    private volatile PeriodicTask task;
    private volatile boolean failing;

    public PendingWordsMerger(Database db, MeterRegistry meters) {
        this.db = db;
        this.pagesMerged = Counter.builder(MetricNames.SEARCH_PENDING_PAGES_MERGED)
                .description("Pages of the search index's pending list merged into the index off the send path")
                .register(meters);
        this.merges = Timer.builder(MetricNames.SEARCH_PENDING_MERGES)
                .description("Merges of the search index's pending list, by how long each took")
                .register(meters);
    }

    /** Merges every {@link #EVERY} from now on. */
    public PendingWordsMerger start() {
        task = PeriodicTask.every(EVERY, "courier-search-merger", this::merge, this::failed);
        return this;
    }

    /**
     * Merges the pending list now, unless another node is doing so: the pages merged (0 when it was empty), or
     * {@link #MERGED_ELSEWHERE}.
     */
    public long mergeOnce() {
        long pages = merges.record(() -> db.inTransaction("search.mergePendingWords", h -> h.createQuery("""
                        SELECT CASE WHEN pg_try_advisory_xact_lock(:key)
                                    THEN gin_clean_pending_list('messages_search_idx'::regclass)
                                    ELSE :elsewhere END""")
                .bind("key", LOCK_KEY)
                .bind("elsewhere", MERGED_ELSEWHERE)
                .mapTo(Long.class)
                .one()));
        if (pages > 0) {
            pagesMerged.increment(pages);
        }
        return pages;
    }

    private void merge() {
        mergeOnce();
        if (failing) {
            failing = false;
            log.info("search index merges work again");
        }
    }

    private void failed(Exception e) {
        // Said once per failing stretch: a database that is down is told by its own alerts, and until the merges
        // work again the inserts merge the list themselves, as they would without this class.
        if (!failing) {
            failing = true;
            log.warn("could not merge the search index's pending list: {}", e.toString());
        }
    }

    @Override
    public void close() {
        PeriodicTask running = task;
        if (running != null) {
            running.close();
        }
    }
}
