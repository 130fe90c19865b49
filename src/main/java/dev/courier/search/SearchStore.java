package dev.courier.search;

import dev.courier.messages.Message;
import dev.courier.messages.MessageRows;
import java.time.Duration;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.Query;

/**
 * SQL for search, over the expression index {@code messages_search_idx} (V15__search_index.sql): every query names the
 * index's expression, {@link #WORDS}, word for word, or PostgreSQL would not use it.
 */
final class SearchStore {

    /** The text search configuration of the index and of every query (V11__search.sql). */
    static final String CONFIG = "'courier_search'::regconfig";
    /** A message's words: the expression {@code messages_search_idx} is built on. */
    static final String WORDS = "to_tsvector(" + CONFIG + ", m.body)";

    /**
     * Whether {@code q}, read as a web search, holds a word the index can look for. It holds none when it has no word
     * at all (only punctuation) or only excluded words ({@code -word}): {@code querytree} then answers {@code ''} or
     * {@code 'T'}, and such a search would have to read every message of the caller's conversations.
     */
    boolean searchable(Handle h, String q) {
        String tree = h.createQuery("SELECT querytree(websearch_to_tsquery(" + CONFIG + ", :q))")
                .bind("q", q)
                .mapTo(String.class)
                .one();
        return !tree.isEmpty() && !tree.equals("T");
    }

    /**
     * The conversations a search reads, and how many messages they hold: the sum of their {@code last_seq}, which
     * counts deleted messages too (a delete leaves a tombstone with its seq). Cheap: one row per conversation.
     */
    record Scope(long[] conversations, long messages) {

        boolean oneConversation() {
            return conversations.length == 1;
        }
    }

    /** The conversations {@code userId} is a member of now. */
    Scope conversationsOf(Handle h, long userId) {
        List<long[]> rows = h.createQuery("SELECT c.id, c.last_seq FROM memberships mb"
                        + " JOIN conversations c ON c.id = mb.conversation_id WHERE mb.user_id = :u")
                .bind("u", userId)
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
                .list();
        long[] ids = new long[rows.size()];
        long messages = 0;
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rows.get(i)[0];
            messages += rows.get(i)[1];
        }
        return new Scope(ids, messages);
    }

    /** One conversation, which the caller has been checked to be a member of. */
    Scope conversation(Handle h, long conversationId) {
        long messages = h.createQuery("SELECT last_seq FROM conversations WHERE id = :c")
                .bind("c", conversationId)
                .mapTo(Long.class)
                .one();
        return new Scope(new long[] {conversationId}, messages);
    }

    /** The two ways the search statement can find its candidates; see {@link #search}. */
    enum Candidates {
        /** The word index's matches, combined with or filtered to the scope's conversations as the planner picks. */
        WORD_INDEX,
        /** Every message of the scope's conversations, read through their own index, each tested against the query. */
        SCOPE_MESSAGES;

        /**
         * The most messages a scope may hold to be read whole. Reading a scope costs about 20 µs a message (its body
         * parsed again); the word index costs about 0.35 µs an entry of the word's posting list, plus its rows. A
         * common word's list holds 70,000 entries at 2 million messages and five times that at 10 million, so a scope
         * of this size costs at most some 40 ms whatever the word and however large the database grows, where the
         * index's bitmap grows with everyone's messages; the price is that a rare word, a millisecond through the
         * index, takes those same milliseconds (bench/results/2026-12-07-search-plans.md).
         */
        static final long MOST_SCOPE_MESSAGES = 2_000;

        static Candidates fitting(Scope scope) {
            return scope.messages() <= MOST_SCOPE_MESSAGES ? SCOPE_MESSAGES : WORD_INDEX;
        }
    }

    /**
     * Up to {@code limit} messages of {@code scope} that match {@code q}, not deleted, after {@code cursor}, newest
     * first, each with its headline, found the way that fits the scope's size ({@link Candidates#fitting}). The
     * caller's transaction must have called {@link #plan}.
     *
     * <p>For a small scope (a caller in a few quiet conversations) the planner, left to itself, intersects the word's
     * whole posting list with the scope's messages: a bitmap of every message in the database holding a common word,
     * built to keep a few hundred of them (170,000 entries at 5 million messages, twice that at 10 million:
     * bench/results/2026-12-07-search.md). Its cost grows with everyone's messages, not the caller's, so a small scope
     * reads its own messages instead and tests each one; the materialized CTE is what keeps the planner from folding
     * the word back into an index condition.
     *
     * <p>Within one conversation newest is the highest seq, across conversations the highest id (store order, the same
     * order), each read from its own index. The conversation ids travel as an array value, not as a subquery on
     * memberships: with the actual ids in hand the planner estimates how many of the caller's messages there are and
     * picks, per search, between reading the word index (a rare word: its few matches, filtered to the caller's
     * conversations), combining it with the conversations' own index, and walking the newest messages backwards until
     * enough match (a common word: a page fills within the first few thousand rows). A subquery hides the count until
     * run time, and the planner then guessed one plan for every word, seconds long for the common ones
     * (bench/results/2026-12-07-search.md). In one conversation, ordering by seq lets that backward walk stay inside
     * the conversation's index rather than cross everyone's newest messages.
     */
    List<Row> search(Handle h, Scope scope, String q, SearchCursor cursor, int limit, Highlight highlight) {
        return search(h, scope, Candidates.fitting(scope), q, cursor, limit, highlight);
    }

    /** {@link #search} with the way of finding candidates chosen by the caller (for tests: both answer the same). */
    List<Row> search(Handle h, Scope scope, Candidates candidates, String q, SearchCursor cursor, int limit,
                     Highlight highlight) {
        boolean one = scope.oneConversation();
        String order = one ? "seq" : "id";
        String inScope = "m.conversation_id" + (one ? " = :conversation" : " = ANY (:conversations::bigint[])")
                + " AND m.deleted_at IS NULL AND m." + order + " < :before";
        String matching = switch (candidates) {
            case WORD_INDEX -> "SELECT " + MessageRows.columns("m") + " FROM messages m"
                    + " WHERE " + inScope + " AND " + WORDS + " @@ websearch_to_tsquery(" + CONFIG + ", :q)"
                    + " ORDER BY m." + order + " DESC LIMIT :limit";
            case SCOPE_MESSAGES -> "WITH scope AS MATERIALIZED (SELECT " + MessageRows.columns("m") + ", " + WORDS
                    + " AS words FROM messages m WHERE " + inScope + ")"
                    + " SELECT " + MessageRows.columns("m") + " FROM scope m"
                    + " WHERE m.words @@ websearch_to_tsquery(" + CONFIG + ", :q)"
                    + " ORDER BY m." + order + " DESC LIMIT :limit";
        };
        Query query = h.createQuery("SELECT " + MessageRows.COLUMNS + ", ts_headline(" + CONFIG + ", "
                + Highlight.escapeSql("body") + ", websearch_to_tsquery(" + CONFIG + ", :q), :options)"
                + " AS headline FROM (" + matching + ") m ORDER BY " + order + " DESC");
        if (one) {
            query.bind("conversation", scope.conversations()[0]);
        } else {
            query.bind("conversations", array(scope.conversations()));
        }
        return query.bind("q", q)
                .bind("before", one ? cursor.beforeSeq() : cursor.beforeId())
                .bind("limit", limit)
                .bind("options", highlight.options())
                .map((rs, ctx) -> new Row(MessageRows.read(rs), rs.getString("headline")))
                .list();
    }

    /**
     * Settings for the search statement, for its transaction only. A custom plan for every execution: a generic plan
     * (which PostgreSQL may settle on for a statement prepared and run often) cannot see how many conversations the
     * array holds nor how common the words are, and one plan does not fit them all. No parallel workers: an
     * interactive query that takes milliseconds gains nothing from them and would take cores from the sends. And a
     * statement timeout of its own, shorter than the pool's: the planner assumes a caller's messages are spread evenly
     * over time, and for a caller whose conversations went quiet long ago the backward walk of a common word can read
     * far more rows than it expected; such a search is better cut off early ({@code 503}) than left to hold a
     * connection for seconds.
     */
    void plan(Handle h) {
        h.createQuery("SELECT set_config('plan_cache_mode', 'force_custom_plan', true) AS plans, "
                        + "set_config('max_parallel_workers_per_gather', '0', true) AS workers, "
                        + "set_config('statement_timeout', :timeout, true) AS timeout, "
                        + "set_config('work_mem', :workMem, true) AS work_mem")
                .bind("timeout", String.valueOf(STATEMENT_TIMEOUT.toMillis()))
                .bind("workMem", WORK_MEM)
                .mapToMap()
                .one();
    }

    /**
     * Memory for the search statement's bitmaps, for its transaction only. A caller in many conversations is searched
     * by combining the word's matches with the conversations' messages in a bitmap; past {@code work_mem} PostgreSQL
     * keeps only the pages, not the rows, and then parses every message on those pages again to recheck it. With the
     * server's default 4 MB a middling word for a caller in 2,000 conversations at 10 million messages rechecked
     * 575,000 bodies in 4.9 s; with 16 MB the bitmap stays exact, 932 rows, 91 ms
     * (bench/results/2026-12-07-search-plans.md). 16 MB keeps a bitmap of every page of a table of that size exact, and
     * is taken only while a search runs, by at most one search per pooled connection.
     */
    static final String WORK_MEM = "16MB";

    /** The longest a search statement may run. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(2);

    /** A message found, and ts_headline's output for it. */
    record Row(Message message, String headline) {
    }

    private static Argument array(long[] values) {
        return (position, statement, ctx) -> statement.setObject(position, values);
    }
}
