package dev.courier.search;

import dev.courier.conversations.ConversationStore;
import dev.courier.db.Database;
import dev.courier.messages.Message;
import dev.courier.web.ApiException;
import dev.courier.web.TextRules;
import java.util.ArrayList;
import java.util.List;

/**
 * Full-text search over the messages of the conversations a user is a member of now. Matching is boolean: a message
 * either holds every word of the query (phrases in order, and none of the excluded words) or it is not a result, so
 * every result is as good a match as any other, and results come newest first (docs/api.md, Search, says why there is
 * no relevance ranking). Deleted messages are never found (a tombstone's body is empty, and the search leaves out
 * every row with {@code deleted_at} set); an edited message is found by its body as it is now, which is all the index
 * holds.
 */
public final class SearchService {

    public static final int MAX_QUERY_CODE_POINTS = 256;
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    /** One result: the message as the history shows it, and its highlight (escaped HTML with {@code <mark>}). */
    public record Result(Message message, String highlight) {
    }

    /** A page of results, newest first; {@code next} is the cursor of the next page, or null on the last one. */
    public record Page(List<Result> results, String next) {
    }

    private final Database db;
    private final SearchStore store = new SearchStore();
    private final ConversationStore conversations;

    public SearchService(Database db, ConversationStore conversations) {
        this.db = db;
        this.conversations = conversations;
    }

    /**
     * Searches the conversations {@code callerId} is a member of, or only {@code conversationId} when it is not null
     * ({@code 404} when the caller is not a member of it, as for every conversation endpoint). {@code cursor} is null
     * for the first page.
     */
    public Page search(long callerId, String q, Long conversationId, int limit, String cursor) {
        validateQuery(q);
        SearchCursor after = cursor == null ? SearchCursor.START : SearchCursor.decode(cursor);
        Highlight highlight = Highlight.withFreshSentinels();
        List<SearchStore.Row> rows = db.inTransaction("search.messages", h -> {
            if (!store.searchable(h, q)) {
                throw ApiException.invalid("q", "q must hold at least one word to look for, not only excluded words");
            }
            SearchStore.Scope scope;
            if (conversationId != null) {
                if (!conversations.isMember(h, conversationId, callerId)) {
                    throw ApiException.notFound("no such conversation");
                }
                scope = store.conversation(h, conversationId);
            } else {
                scope = store.conversationsOf(h, callerId);
            }
            if (scope.conversations().length == 0) {
                return List.of();
            }
            store.plan(h);
            return store.search(h, scope, q, after, limit + 1, highlight);
        });
        boolean more = rows.size() > limit;
        List<SearchStore.Row> page = more ? rows.subList(0, limit) : rows;
        List<Result> results = new ArrayList<>(page.size());
        for (SearchStore.Row row : page) {
            results.add(new Result(row.message(), highlight.render(row.message().body(), row.headline())));
        }
        Message last = page.isEmpty() ? null : page.getLast().message();
        String next = more ? new SearchCursor(last.id(), last.seq()).encode() : null;
        return new Page(results, next);
    }

    private static void validateQuery(String q) {
        if (q == null) {
            throw ApiException.invalid("q", "q is required");
        }
        TextRules.requireLength("q", q, 1, MAX_QUERY_CODE_POINTS);
        if (TextRules.isBlank(q)) {
            throw ApiException.invalid("q", "q must not be only white space");
        }
    }
}
