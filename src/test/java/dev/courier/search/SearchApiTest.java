package dev.courier.search;

import static dev.courier.testing.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.RateLimitConfig;
import dev.courier.config.SecurityConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /v1/search} against the contract: who finds what, deletes and edits, highlights, paging, languages, bad
 * input, its rate limit.
 */
@ExtendWith(TestServerExtension.class)
class SearchApiTest {

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    /** A word no other test (nor any earlier run on the same database) uses: ten random letters. */
    private static String uniqueWord() {
        StringBuilder word = new StringBuilder("q");
        for (int i = 0; i < 9; i++) {
            word.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return word.toString();
    }

    private static long sent(TestUser sender, long conversation, String body) {
        Response r = api.sendMessage(sender, conversation, body);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r.json().path("seq").asLong();
    }

    private static Response search(TestUser caller, String query) {
        return api.get("/v1/search?" + query, caller.token());
    }

    private static JsonNode found(TestUser caller, String q) {
        return found(caller, "q=" + encode(q), 200);
    }

    private static JsonNode found(TestUser caller, String query, int status) {
        Response r = search(caller, query);
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        return r.json();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The bodies of a page's results, in order. */
    private static List<String> bodies(JsonNode page) {
        return StreamSupport.stream(page.path("results").spliterator(), false)
                .map(result -> result.path("message").path("body").asText()).toList();
    }

    private static List<Long> ids(JsonNode page) {
        return StreamSupport.stream(page.path("results").spliterator(), false)
                .map(result -> result.path("message").path("id").asLong()).toList();
    }

    @Test
    void aWordFindsTheCallersMessagesNewestFirstWithTheMessageAsTheHistoryShowsIt() {
        TestUser ada = api.newUser("ada");
        TestUser bob = api.newUser("bob");
        TestUser eve = api.newUser("eve");
        String word = uniqueWord();
        long direct = api.direct(ada, bob);
        long group = api.group(bob, "plans", ada);
        long elsewhere = api.group(eve, "not ada's", bob);
        sent(ada, direct, "first " + word + " here");
        sent(bob, group, "the second " + word);
        sent(bob, elsewhere, "ada is not in this one: " + word);
        long third = sent(ada, direct, "third: " + word.toUpperCase() + "!");

        JsonNode page = found(ada, word);

        assertThat(bodies(page)).containsExactly("third: " + word.toUpperCase() + "!", "the second " + word,
                "first " + word + " here");
        assertThat(page.path("next").isNull()).as("%s", page).isTrue();
        JsonNode history = api.get("/v1/conversations/" + direct + "/messages?after=" + (third - 1) + "&limit=1",
                ada.token()).json().path("messages").get(0);
        assertThat(page.path("results").get(0).path("message")).isEqualTo(history);
        assertThat(bodies(found(eve, word))).containsExactly("ada is not in this one: " + word);
    }

    @Test
    void aMemberWhoLeavesAGroupNoLongerFindsItsMessages() {
        TestUser owner = api.newUser("owner");
        TestUser leaver = api.newUser("leaver");
        String word = uniqueWord();
        long group = api.group(owner, "leaving", leaver);
        sent(owner, group, "before you go: " + word);
        assertThat(bodies(found(leaver, word))).containsExactly("before you go: " + word);

        assertThat(api.delete("/v1/conversations/" + group + "/members/" + leaver.id(), leaver.token()).status())
                .isEqualTo(204);

        assertThat(bodies(found(leaver, word))).isEmpty();
        assertError(search(leaver, "q=" + word + "&conversationId=" + group), 404, "not_found", null);
        assertThat(bodies(found(owner, word))).containsExactly("before you go: " + word);
    }

    @Test
    void aDeletedMessageIsNeverFound() {
        TestUser ada = api.newUser("ada");
        String word = uniqueWord();
        long group = api.group(ada, "deletes");
        long gone = sent(ada, group, "delete me " + word);
        sent(ada, group, "keep me " + word);

        assertThat(api.deleteMessage(ada, group, gone).status()).isEqualTo(204);

        assertThat(bodies(found(ada, word))).containsExactly("keep me " + word);
        assertThat(bodies(found(ada, "delete"))).doesNotContain("delete me " + word);
    }

    @Test
    void anEditedMessageIsFoundByItsNewTextOnly() {
        TestUser ada = api.newUser("ada");
        String before = uniqueWord();
        String after = uniqueWord();
        long group = api.group(ada, "edits");
        long seq = sent(ada, group, "typo " + before);

        assertThat(api.editMessage(ada, group, seq, "fixed " + after).status()).isEqualTo(200);

        assertThat(bodies(found(ada, before))).isEmpty();
        JsonNode page = found(ada, after);
        assertThat(bodies(page)).containsExactly("fixed " + after);
        assertThat(page.path("results").get(0).path("message").path("editedAt").isNull()).isFalse();
    }

    @Test
    void theHighlightMarksTheWordsFoundAndEscapesEverythingElse() {
        TestUser ada = api.newUser("ada");
        String word = uniqueWord();
        long group = api.group(ada, "escaping");
        String body = "<script>alert(\"hi\" & 'bye')</script> Tom & Jerry <mark>fake</mark> &lt;b&gt; " + word
                + " <img src=x onerror=alert(1)>";
        sent(ada, group, body);

        JsonNode result = found(ada, word).path("results").get(0);

        assertThat(result.path("message").path("body").asText()).isEqualTo(body);
        String highlight = result.path("highlight").asText();
        String whole = "&lt;script&gt;alert(\"hi\" &amp; 'bye')&lt;/script&gt; Tom &amp; Jerry "
                + "&lt;mark&gt;fake&lt;/mark&gt; &amp;lt;b&amp;gt; <mark>" + word + "</mark> &lt;img src=x "
                + "onerror=alert(1)&gt;";
        // the whole body, or (as ts_headline counts each entity as a word) its end after an ellipsis
        if (highlight.startsWith("… ")) {
            assertThat(whole).endsWith(highlight.substring(2));
            assertThat(highlight).contains("Tom &amp; Jerry &lt;mark&gt;fake&lt;/mark&gt;");
        } else {
            assertThat(highlight).isEqualTo(whole);
        }
        assertThat(highlight.replace("<mark>", "").replace("</mark>", "")).doesNotContain("<", ">");
    }

    @Test
    void aLongBodyIsShownAsAnExcerptAroundTheWordWithEllipses() {
        TestUser ada = api.newUser("ada");
        String word = uniqueWord();
        long group = api.group(ada, "long");
        String body = "lorem ipsum ".repeat(40) + word + " dolor sit amet".repeat(40);
        sent(ada, group, body);

        String highlight = found(ada, word).path("results").get(0).path("highlight").asText();

        assertThat(highlight).startsWith("… ").endsWith(" …").contains("<mark>" + word + "</mark>");
        assertThat(highlight.split(" ").length).isLessThanOrEqualTo(Highlight.MAX_WORDS + 2);
    }

    @Test
    void phrasesInQuotesExcludedWordsAndOrWorkAsInAWebSearch() {
        TestUser ada = api.newUser("ada");
        String w = uniqueWord();
        long group = api.group(ada, "syntax");
        sent(ada, group, w + " quick brown fox");
        sent(ada, group, w + " brown quick dog");
        sent(ada, group, w + " a quick and very brown cat");

        assertThat(bodies(found(ada, w + " \"quick brown\""))).containsExactly(w + " quick brown fox");
        assertThat(bodies(found(ada, w + " quick brown"))).hasSize(3);
        assertThat(bodies(found(ada, w + " brown -fox"))).containsExactly(w + " a quick and very brown cat",
                w + " brown quick dog");
        assertThat(bodies(found(ada, w + " dog or cat"))).containsExactly(w + " a quick and very brown cat",
                w + " brown quick dog");
        JsonNode phrase = found(ada, w + " \"quick brown\"").path("results").get(0);
        assertThat(phrase.path("highlight").asText()).isEqualTo("<mark>" + w + "</mark> <mark>quick</mark> "
                + "<mark>brown</mark> fox");
    }

    @Test
    void conversationIdNarrowsTheSearchToThatConversation() {
        TestUser ada = api.newUser("ada");
        TestUser outsider = api.newUser("outsider");
        String word = uniqueWord();
        long one = api.group(ada, "one");
        long two = api.group(ada, "two");
        sent(ada, one, "in one " + word);
        sent(ada, two, "in two " + word);

        assertThat(bodies(found(ada, "q=" + word + "&conversationId=" + two, 200))).containsExactly("in two " + word);
        assertError(search(outsider, "q=" + word + "&conversationId=" + two), 404, "not_found", null);
        assertError(search(ada, "q=" + word + "&conversationId=987654321"), 404, "not_found", null);
    }

    /**
     * Pages follow one another by cursor while new matching messages arrive: every message that matched when the
     * first page was read appears exactly once across the pages, in order, and none that arrived later slips in.
     */
    @Test
    void pagingStaysStableWhileNewMessagesArrive() {
        TestUser ada = api.newUser("ada");
        TestUser bob = api.newUser("bob");
        String word = uniqueWord();
        long group = api.group(ada, "paging", bob);
        List<Long> stored = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            sent(i % 2 == 0 ? ada : bob, group, "message " + i + " " + word);
        }
        JsonNode all = found(ada, "q=" + word + "&limit=100", 200);
        stored.addAll(ids(all));
        assertThat(stored).hasSize(25).isSortedAccordingTo((a, b) -> Long.compare(b, a));

        List<Long> paged = new ArrayList<>();
        JsonNode page = found(ada, "q=" + word + "&limit=10", 200);
        paged.addAll(ids(page));
        int pages = 1;
        while (!page.path("next").isNull()) {
            // more matches arrive between every two pages, in the conversation being paged through
            for (int i = 0; i < 3; i++) {
                sent(bob, group, "late " + pages + "." + i + " " + word);
            }
            page = found(ada, "q=" + word + "&limit=10&cursor=" + encode(page.path("next").asText()), 200);
            paged.addAll(ids(page));
            pages++;
        }

        assertThat(pages).isEqualTo(3);
        assertThat(paged).containsExactlyElementsOf(stored);
        assertThat(bodies(found(ada, "q=" + word + "&limit=1", 200))).containsExactly("late 2.2 " + word);

        // within one conversation (read in seq order from its own index), the same pages, a message arriving between
        List<Long> everything = ids(found(ada, "q=" + word + "&limit=100", 200));
        List<Long> inGroup = new ArrayList<>();
        String scope = "q=" + word + "&conversationId=" + group + "&limit=12";
        page = found(ada, scope, 200);
        inGroup.addAll(ids(page));
        sent(bob, group, "later still " + word);
        while (!page.path("next").isNull()) {
            page = found(ada, scope + "&cursor=" + encode(page.path("next").asText()), 200);
            inGroup.addAll(ids(page));
        }
        assertThat(everything).hasSize(31);
        assertThat(inGroup).containsExactlyElementsOf(everything);
    }

    /**
     * The courier_search configuration: no stemming, accents and case folded, so German, Russian and English words
     * find each other however they are written; CJK text without spaces is one word to the parser, found whole only.
     */
    @Test
    void wordsAreFoundAcrossLanguagesIgnoringCaseAndAccents() {
        TestUser ada = api.newUser("ada");
        String tag = uniqueWord();
        long group = api.group(ada, "languages");
        sent(ada, group, tag + " We are running late to the café");
        sent(ada, group, tag + " Die Straße gehört Herrn Müller, schöne Grüße");
        sent(ada, group, tag + " Привет! Ёлка уже стоит");
        sent(ada, group, tag + " 東京タワーに行った");
        sent(ada, group, tag + " 東京 タワー");

        String english = tag + " We are running late to the café";
        String german = tag + " Die Straße gehört Herrn Müller, schöne Grüße";
        String russian = tag + " Привет! Ёлка уже стоит";
        assertThat(bodies(found(ada, tag + " cafe"))).containsExactly(english);
        assertThat(bodies(found(ada, tag + " CAFÉ running"))).containsExactly(english);
        assertThat(bodies(found(ada, tag + " run"))).as("no stemming").isEmpty();
        assertThat(bodies(found(ada, tag + " strasse"))).containsExactly(german);
        assertThat(bodies(found(ada, tag + " STRASSE gruesse"))).as("ü is u, not ue").isEmpty();
        assertThat(bodies(found(ada, tag + " Strasse grusse muller"))).containsExactly(german);
        assertThat(bodies(found(ada, tag + " \"gehort herrn\""))).containsExactly(german);
        assertThat(bodies(found(ada, tag + " привет"))).containsExactly(russian);
        assertThat(bodies(found(ada, tag + " ПРИВЕТ елка"))).containsExactly(russian);
        assertThat(bodies(found(ada, tag + " 東京タワーに行った"))).containsExactly(tag + " 東京タワーに行った");
        assertThat(bodies(found(ada, tag + " 東京"))).as("only where a space ends the word")
                .containsExactly(tag + " 東京 タワー");
        assertThat(found(ada, tag + " strasse").path("results").get(0).path("highlight").asText())
                .isEqualTo("<mark>" + tag + "</mark> Die <mark>Straße</mark> gehört Herrn Müller, schöne Grüße");
    }

    @Test
    void badInputIsRefusedWithTheFieldAtFault() {
        TestUser ada = api.newUser("ada");
        assertError(search(ada, ""), 400, "validation_failed", "q");
        assertError(search(ada, "q="), 400, "validation_failed", "q");
        assertError(search(ada, "q=%20%20"), 400, "validation_failed", "q");
        assertError(search(ada, "q=" + "a".repeat(SearchService.MAX_QUERY_CODE_POINTS + 1)), 400,
                "validation_failed", "q");
        assertError(search(ada, "q=-alone"), 400, "validation_failed", "q");
        assertError(search(ada, "q=" + encode("!!! ...")), 400, "validation_failed", "q");
        assertError(search(ada, "q=x&limit=0"), 400, "validation_failed", "limit");
        assertError(search(ada, "q=x&limit=" + (SearchService.MAX_LIMIT + 1)), 400, "validation_failed", "limit");
        assertError(search(ada, "q=x&limit=ten"), 400, "validation_failed", "limit");
        assertError(search(ada, "q=x&cursor=not-a-cursor"), 400, "validation_failed", "cursor");
        assertError(search(ada, "q=x&conversationId=abc"), 400, "validation_failed", "conversationId");
        assertError(search(ada, "q=x&conversationId=-1"), 400, "validation_failed", "conversationId");
        assertError(api.get("/v1/search?q=x", null), 401, "unauthorized", null);
        assertThat(found(ada, "q=x&limit=" + SearchService.MAX_LIMIT, 200).path("results").isArray()).isTrue();
        assertThat(found(ada, "q=x&limit=1", 200).path("next").isNull()).isTrue();
    }

    @Test
    void searchesSpendTheirOwnRateLimitBucket() {
        try (TestServer limited = TestServer.start(config -> config.withSecurity(SecurityConfig.defaults()
                .withRateLimits(RateLimitConfig.parse("search=2/1h"))))) {
            ApiClient client = limited.client();
            TestUser ada = client.newUser("ada");
            long group = client.group(ada, "limits");
            assertThat(client.get("/v1/search?q=hello", ada.token()).status()).isEqualTo(200);
            assertThat(client.get("/v1/search?q=hello", ada.token()).status()).isEqualTo(200);

            Response refused = client.get("/v1/search?q=hello", ada.token());

            assertError(refused, 429, "rate_limited", null);
            assertThat(refused.header("Retry-After")).isNotBlank();
            assertThat(client.sendMessage(ada, group, "sends are not held back").status()).isEqualTo(201);
        }
    }
}
