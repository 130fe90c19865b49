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

    /** The conversations {@code userId} is a member of now. */
    long[] conversationsOf(Handle h, long userId) {
        return h.createQuery("SELECT conversation_id FROM memberships WHERE user_id = :u")
                .bind("u", userId)
                .mapTo(Long.class)
                .list()
                .stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Up to {@code limit} messages of {@code conversations} that match {@code q}, not deleted, after {@code cursor},
     * newest first, each with its headline. Across conversations newest is the highest id (store order); within one
     * conversation it is the highest seq, the same order, read from the conversation's own index. The caller's
     * transaction must have called {@link #plan}.
     *
     * <p>The conversation ids travel as an array value, not as a subquery on memberships: with the actual ids in hand
     * the planner estimates how many of the caller's messages there are and picks, per search, between reading the
     * index (a rare word: its few matches, filtered to the caller's conversations), combining it with the
     * conversations' own index, and walking the newest messages backwards until enough match (a common word: a page
     * fills within the first few thousand rows). A subquery hides the count until run time, and the planner then
     * guessed one plan for every word, seconds long for the common ones (bench/results/2026-12-07-search.md). In one
     * conversation, ordering by seq lets that backward walk stay inside the conversation's index rather than cross
     * everyone's newest messages.
     */
    List<Row> search(Handle h, long[] conversations, String q, SearchCursor cursor, int limit, Highlight highlight) {
        boolean one = conversations.length == 1;
        String order = one ? "seq" : "id";
        Query query = h.createQuery("SELECT " + MessageRows.COLUMNS + ", ts_headline(" + CONFIG + ", "
                        + Highlight.escapeSql("body") + ", websearch_to_tsquery(" + CONFIG + ", :q), :options)"
                        + " AS headline"
                        + " FROM (SELECT " + MessageRows.columns("m") + " FROM messages m"
                        + " WHERE m.conversation_id" + (one ? " = :conversation" : " = ANY (:conversations::bigint[])")
                        + " AND " + WORDS + " @@ websearch_to_tsquery(" + CONFIG + ", :q)"
                        + " AND m.deleted_at IS NULL AND m." + order + " < :before"
                        + " ORDER BY m." + order + " DESC LIMIT :limit) m"
                        + " ORDER BY " + order + " DESC");
        if (one) {
            query.bind("conversation", conversations[0]);
        } else {
            query.bind("conversations", array(conversations));
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
                        + "set_config('statement_timeout', :timeout, true) AS timeout")
                .bind("timeout", String.valueOf(STATEMENT_TIMEOUT.toMillis()))
                .mapToMap()
                .one();
    }

    /** The longest a search statement may run. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(2);

    /** A message found, and ts_headline's output for it. */
    record Row(Message message, String headline) {
    }

    private static Argument array(long[] values) {
        return (position, statement, ctx) -> statement.setObject(position, values);
    }
}
