package dev.courier.search;

import dev.courier.messages.MessageRows;
import dev.courier.messages.Message;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;

/**
 * SQL for search, over the expression index {@code messages_search_idx} (V15__search_index.sql): every query names the
 * index's expression, {@link #WORDS}, word for word, or PostgreSQL would not use it.
 */
final class SearchStore {

    /** The text search configuration of the index and of every query (V11__search.sql). */
    static final String CONFIG = "'courier_search'::regconfig";
    /** A message's words: the expression {@code messages_search_idx} is built on. */
    static final String WORDS = "to_tsvector(" + CONFIG + ", m.body)";

    /** What a query asks for, as PostgreSQL reads it; see {@link #parse}. */
    record Parsed(boolean searchable) {
    }

    /**
     * Whether {@code q}, read as a web search, holds a word the index can look for. It holds none when it has no word
     * at all (only punctuation) or only excluded words ({@code -word}): {@code querytree} then answers {@code ''} or
     * {@code 'T'}, and such a search would have to read every message of the caller's conversations.
     */
    Parsed parse(Handle h, String q) {
        String tree = h.createQuery("SELECT querytree(websearch_to_tsquery(" + CONFIG + ", :q))")
                .bind("q", q)
                .mapTo(String.class)
                .one();
        return new Parsed(!tree.isEmpty() && !tree.equals("T"));
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
     * Up to {@code limit} messages of {@code conversations} that match {@code q}, not deleted, with id below
     * {@code beforeId}, newest (highest id) first, each with its headline. The caller's transaction must have called
     * {@link #plan}.
     *
     * <p>The conversation ids travel as an array value, not as a subquery on memberships: with the actual ids in hand
     * the planner estimates how many of the caller's messages there are and picks, per search, between reading the
     * index (a rare word: its few matches, filtered to the caller's conversations), combining it with the
     * conversations' own index, and walking the newest messages backwards until enough match (a common word: a page
     * fills within the first few hundred rows). A subquery hides the count until run time, and the planner then guessed
     * the same plan for every word, seconds long for the common ones (bench/results/2026-12-07-search.md).
     */
    List<Row> search(Handle h, long[] conversations, String q, long beforeId, int limit, Highlight highlight) {
        return h.createQuery("SELECT " + MessageRows.COLUMNS + ", ts_headline(" + CONFIG + ", "
                        + Highlight.escapeSql("body") + ", websearch_to_tsquery(" + CONFIG + ", :q), :options) AS headline"
                        + " FROM (SELECT " + MessageRows.columns("m") + " FROM messages m"
                        + " WHERE m.conversation_id = ANY (:conversations::bigint[])"
                        + " AND " + WORDS + " @@ websearch_to_tsquery(" + CONFIG + ", :q)"
                        + " AND m.deleted_at IS NULL AND m.id < :beforeId"
                        + " ORDER BY m.id DESC LIMIT :limit) m"
                        + " ORDER BY id DESC")
                .bind("conversations", array(conversations))
                .bind("q", q)
                .bind("beforeId", beforeId)
                .bind("limit", limit)
                .bind("options", highlight.options())
                .map((rs, ctx) -> new Row(MessageRows.read(rs), rs.getString("headline")))
                .list();
    }

    /**
     * Settings for the search statement, for its transaction only. A custom plan for every execution: a generic plan
     * (which PostgreSQL may settle on for a statement prepared and run often) cannot see how many conversations the
     * array holds nor how common the words are, and one plan does not fit them all. No parallel workers: an
     * interactive query that takes milliseconds gains nothing from them and would take cores from the sends.
     */
    void plan(Handle h) {
        h.createQuery("SELECT set_config('plan_cache_mode', 'force_custom_plan', true) AS plans, "
                        + "set_config('max_parallel_workers_per_gather', '0', true) AS workers")
                .mapToMap()
                .one();
    }

    /** A message found, and ts_headline's output for it. */
    record Row(Message message, String headline) {
    }

    private static Argument array(long[] values) {
        return (position, statement, ctx) -> statement.setObject(position, values);
    }
}
