package dev.courier.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.db.Database;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The two search statements (a small scope read whole, a large one through the word index) are two plans for one
 * question: on the same data they answer the same results, in the same order, page after page.
 */
@ExtendWith(TestServerExtension.class)
class SearchCandidatesTest {

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    @Test
    void aScopeOfAFewThousandMessagesIsReadWholeAndALargerOneThroughTheWordIndex() {
        long most = SearchStore.Candidates.MOST_SCOPE_MESSAGES;
        assertThat(SearchStore.Candidates.fitting(new SearchStore.Scope(new long[] {1, 2}, most)))
                .isEqualTo(SearchStore.Candidates.SCOPE_MESSAGES);
        assertThat(SearchStore.Candidates.fitting(new SearchStore.Scope(new long[] {1, 2}, most + 1)))
                .isEqualTo(SearchStore.Candidates.WORD_INDEX);
    }

    @Test
    void bothStatementsAnswerTheSameResultsPageByPage() {
        TestUser ada = api.newUser("ada");
        TestUser bob = api.newUser("bob");
        TestUser eve = api.newUser("eve");
        String w = "q" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 41), 36);
        long direct = api.direct(ada, bob);
        long group = api.group(bob, "plans", ada);
        long notAdas = api.group(eve, "not ada's", bob);
        String[] bodies = {w + " quick brown fox", w + " brown quick dog", "a quick and very brown " + w,
            w + " quick brown fox again", "nothing to see", w + " only the word"};
        for (int i = 0; i < 4; i++) {
            for (String body : bodies) {
                send(ada, direct, body);
                send(bob, group, body);
                send(eve, notAdas, body);
            }
        }
        assertThat(api.deleteMessage(ada, direct, 1).status()).isEqualTo(204);
        assertThat(api.editMessage(bob, group, 2, "edited quick brown " + w).status()).isEqualTo(200);

        Database db = server.server().database();
        SearchStore store = new SearchStore();
        SearchStore.Scope adas = db.withHandle("test.scope", h -> store.conversationsOf(h, ada.id()));
        SearchStore.Scope groupOnly = db.withHandle("test.scope", h -> store.conversation(h, group));
        for (String q : List.of(w, "\"quick brown\" " + w, w + " -fox", "dog or cat " + w, w + " \"brown quick\"")) {
            for (SearchStore.Scope scope : List.of(adas, groupOnly)) {
                List<String> byIndex = allPages(db, store, scope, SearchStore.Candidates.WORD_INDEX, q);
                List<String> byScope = allPages(db, store, scope, SearchStore.Candidates.SCOPE_MESSAGES, q);

                assertThat(byIndex).as("q=%s", q).isNotEmpty().isEqualTo(byScope);
            }
        }
    }

    private static void send(TestUser sender, long conversation, String body) {
        assertThat(api.sendMessage(sender, conversation, body).status()).isEqualTo(201);
    }

    /** Every result of {@code q}, pages of three: each as its id, seq, body and highlight. */
    private static List<String> allPages(Database db, SearchStore store, SearchStore.Scope scope,
                                         SearchStore.Candidates candidates, String q) {
        List<String> found = new ArrayList<>();
        SearchCursor cursor = SearchCursor.START;
        while (true) {
            SearchCursor after = cursor;
            Highlight highlight = Highlight.withFreshSentinels();
            List<SearchStore.Row> rows = db.inTransaction("test.search", h -> {
                store.plan(h);
                return store.search(h, scope, candidates, q, after, 3, highlight);
            });
            for (SearchStore.Row row : rows) {
                found.add(row.message().id() + " " + row.message().seq() + " " + row.message().body() + " "
                        + highlight.render(row.message().body(), row.headline()));
            }
            if (rows.size() < 3) {
                return found;
            }
            var last = rows.getLast().message();
            cursor = new SearchCursor(last.id(), last.seq());
        }
    }
}
