package dev.courier.search;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The highlight's rendering from ts_headline's output: only the sentinels become marks, and output that cannot be
 * trusted (a body holding a sentinel, a mark that would cut an entity) falls back to an excerpt without marks.
 */
class HighlightTest {

    private static final Highlight HIGHLIGHT = Highlight.withFreshSentinels();

    /** ts_headline's output for {@code marked}, where [ and ] stand for the start and stop sentinels. */
    private static String headline(String marked) {
        String options = HIGHLIGHT.options();
        String start = options.substring(options.indexOf("StartSel=\"") + 10, options.indexOf("\", StopSel"));
        String stop = options.substring(options.indexOf("StopSel=\"") + 9, options.indexOf("\", MaxWords"));
        return marked.replace("[", start).replace("]", stop);
    }

    @Test
    void sentinelsBecomeMarksAndTheEscapedTextStaysAsItIs() {
        String body = "a < b & c";
        assertThat(HIGHLIGHT.render(body, headline("a &lt; [b] &amp; c"))).isEqualTo("a &lt; <mark>b</mark> &amp; c");
    }

    @Test
    void anExcerptGetsAnEllipsisWhereItLeavesTextOut() {
        String body = "one two three four five";
        assertThat(HIGHLIGHT.render(body, headline("two [three] four"))).isEqualTo("… two <mark>three</mark> four …");
        assertThat(HIGHLIGHT.render(body, headline("[one] two"))).isEqualTo("<mark>one</mark> two …");
        assertThat(HIGHLIGHT.render(body, headline("four [five]"))).isEqualTo("… four <mark>five</mark>");
    }

    @Test
    void aBodyHoldingASentinelGetsNoMarks() {
        String sneaky = headline("look [here]");
        assertThat(HIGHLIGHT.render(sneaky, headline("look [here]"))).doesNotContain("<mark>");
    }

    @Test
    void aMarkThatWouldCutAnEntityOrUnescapedTextGetsNoMarks() {
        assertThat(HIGHLIGHT.render("x < y", headline("x &[lt]; y"))).isEqualTo("x &lt; y");
        assertThat(HIGHLIGHT.render("x < y", headline("x < [y]"))).isEqualTo("x &lt; y");
        assertThat(HIGHLIGHT.render("x y", headline("x [y"))).isEqualTo("x y");
    }

    @Test
    void theFallbackExcerptIsTheBodysFirstWordsEscaped() {
        String body = "<b> " + "word ".repeat(40);
        String fallback = HIGHLIGHT.render(body, null);
        assertThat(fallback).startsWith("&lt;b&gt; word word").endsWith(" …");
        assertThat(fallback.split(" ")).hasSize(Highlight.MAX_WORDS + 1);
    }

    @Test
    void wellFormedTextHoldsOnlyWholeEntities() {
        assertThat(Highlight.wellFormed("Tom &amp; Jerry &lt;3 &gt;")).isTrue();
        assertThat(Highlight.wellFormed("Tom & Jerry")).isFalse();
        assertThat(Highlight.wellFormed("&am")).isFalse();
        assertThat(Highlight.wellFormed("<")).isFalse();
    }
}
