package dev.courier.search;

import java.util.UUID;

/**
 * The {@code highlight} of a search result: an excerpt of the body in which the words the query found are wrapped in
 * {@code <mark>}, and everything else is escaped HTML, so that a client may insert it as HTML as it is.
 *
 * <p>PostgreSQL's {@code ts_headline} picks the excerpt and finds the words, the same way the search matched them. It
 * is given the body already escaped ({@link #escapeSql}): its parser reads {@code &amp;}, {@code &lt;} and
 * {@code &gt;} as single tokens, so an excerpt never cuts one and a mark never falls inside one; given the raw body, it
 * would drop anything shaped like an HTML tag from the excerpt instead. It marks the words with two sentinels made
 * for each search from a random nonce, which no body can be expected to hold; a body that does hold one (or an
 * excerpt that does not come out well formed) gets an excerpt without marks rather than a wrong one.
 */
final class Highlight {

    /** Longest excerpt, in words, and shortest: a body of fewer words than the shortest is shown whole. */
    static final int MAX_WORDS = 30;
    static final int MIN_WORDS = MAX_WORDS - 1;
    private static final String ELLIPSIS = "…";

    private final String start;
    private final String stop;

    private Highlight(String nonce) {
        // private-use code points around the nonce: nothing a parser takes for part of a word next to them
        this.start = "\uE000" + nonce + "\uE001";
        this.stop = "\uE002" + nonce + "\uE003";
    }

    static Highlight withFreshSentinels() {
        return new Highlight(UUID.randomUUID().toString().replace("-", ""));
    }

    /** ts_headline's options: the sentinels and the excerpt's length. */
    String options() {
        return "StartSel=\"" + start + "\", StopSel=\"" + stop + "\", MaxWords=" + MAX_WORDS + ", MinWords="
                + MIN_WORDS + ", ShortWord=1";
    }

    /** The SQL expression that escapes {@code column} the way {@link #escape} does. */
    static String escapeSql(String column) {
        return "replace(replace(replace(" + column + ", '&', '&amp;'), '<', '&lt;'), '>', '&gt;')";
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /**
     * The highlight of {@code body} from ts_headline's output {@code headline} (of the escaped body, with this
     * object's sentinels): marks for the sentinels, and an ellipsis where the excerpt leaves text out.
     */
    String render(String body, String headline) {
        String escapedBody = escape(body);
        if (headline == null || body.contains(start) || body.contains(stop)) {
            return excerptWithoutMarks(escapedBody);
        }
        StringBuilder html = new StringBuilder();
        StringBuilder plain = new StringBuilder();
        int at = 0;
        while (at < headline.length()) {
            int open = headline.indexOf(start, at);
            if (open < 0) {
                if (!appendText(html, plain, headline.substring(at))) {
                    return excerptWithoutMarks(escapedBody);
                }
                break;
            }
            int close = headline.indexOf(stop, open + start.length());
            if (close < 0 || !appendText(html, plain, headline.substring(at, open))) {
                return excerptWithoutMarks(escapedBody);
            }
            String word = headline.substring(open + start.length(), close);
            if (!wellFormed(word) || word.contains(start)) {
                return excerptWithoutMarks(escapedBody);
            }
            html.append("<mark>").append(word).append("</mark>");
            plain.append(word);
            at = close + stop.length();
        }
        return withEllipses(escapedBody, plain.toString().strip(), html.toString().strip());
    }

    private boolean appendText(StringBuilder html, StringBuilder plain, String text) {
        if (!wellFormed(text) || text.contains(stop)) {
            return false;
        }
        html.append(text);
        plain.append(text);
        return true;
    }

    /** An ellipsis before an excerpt that does not start the body, and after one that does not end it. */
    private static String withEllipses(String escapedBody, String plain, String html) {
        String whole = escapedBody.strip();
        if (plain.equals(whole) || plain.isEmpty()) {
            return plain.isEmpty() ? excerptWithoutMarks(escapedBody) : html;
        }
        String result = html;
        if (!whole.startsWith(plain)) {
            result = ELLIPSIS + " " + result;
        }
        if (!whole.endsWith(plain)) {
            result = result + " " + ELLIPSIS;
        }
        return result;
    }

    /** The body's first words, escaped, with no mark: what a result shows when its marks cannot be trusted. */
    static String excerptWithoutMarks(String escapedBody) {
        String[] words = escapedBody.strip().split("\\s+");
        if (words.length <= MAX_WORDS) {
            return escapedBody.strip();
        }
        return String.join(" ", java.util.Arrays.copyOf(words, MAX_WORDS)) + " " + ELLIPSIS;
    }

    /**
     * Whether {@code text} is escaped text on its own: no {@code <} or {@code >}, and every {@code &} the start of one
     * of the three entities {@link #escape} writes. A mark that cut an entity would fail this.
     */
    static boolean wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '<' || c == '>') {
                return false;
            }
            boolean entity = text.startsWith("&amp;", i) || text.startsWith("&lt;", i) || text.startsWith("&gt;", i);
            if (c == '&' && !entity) {
                return false;
            }
        }
        return true;
    }
}
