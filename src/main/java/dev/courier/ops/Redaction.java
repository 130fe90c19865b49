package dev.courier.ops;

import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes secrets out of a log line before it is written: a bearer token ({@code Authorization: Bearer ...}, the admin
 * token included), the stream's {@code access_token} query parameter, and the value of anything named like a password,
 * token or secret ({@code "password":"..."}, {@code --admin-token x}). Courier logs no header, body or query on
 * purpose; this is the net under a line that quotes one by accident (a library's warning about a URI, say).
 *
 * <p>Courier's own sentences name these things too ("password guessing ... unthrottled", "token expired"): a word
 * that follows such a name after a space alone is taken for a secret only when the name is part of an identifier or a
 * flag ({@code --admin-token x}, {@code newPassword x}) or the word looks like one (a digit in it, or 16 characters and
 * more), so that an operator reads the sentence the server wrote.
 */
public final class Redaction {

    public static final String REDACTED = "[REDACTED]";

    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
    /**
     * A name ending in password, token or secret (access_token, newPassword, admin-token, ...), then up to a few
     * quotes, escapes and separators, then the value up to the next quote, space or delimiter.
     */
    private static final Pattern NAMED = Pattern.compile(
            "(?i)((?:password|passwd|token|secret)((?:\\\\?[\"'])?\\s*[:=]?\\s*(?:\\\\?[\"'])?))(?!\\[REDACTED])"
                    + "([^\\s\"'\\\\&,;}\\]]+)");
    private static final Pattern SECRET_LOOKING = Pattern.compile(".*\\d.*|.{16,}");

    private Redaction() {
    }

    public static String redact(String line) {
        if (line.isEmpty()) {
            return line;
        }
        String out = BEARER.matcher(line).replaceAll("$1" + REDACTED);
        return NAMED.matcher(out).replaceAll(m -> Matcher.quoteReplacement(
                secret(m, out) ? m.group(1) + REDACTED : m.group()));
    }

    private static boolean secret(MatchResult named, String line) {
        boolean spaceOnly = named.group(2).isBlank();
        if (!spaceOnly) {
            return true;
        }
        boolean partOfIdentifier = named.start() > 0 && isIdentifierPart(line.charAt(named.start() - 1));
        return partOfIdentifier || SECRET_LOOKING.matcher(named.group(3)).matches();
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '-' || c == '_';
    }
}
