package dev.courier.ops;

import java.util.regex.Pattern;

/**
 * Takes secrets out of a log line before it is written: a bearer token ({@code Authorization: Bearer ...}, the admin
 * token included), the stream's {@code access_token} query parameter, and the value of anything named like a password,
 * token or secret ({@code "password":"..."}, {@code --admin-token x}). Courier logs no header, body or query on
 * purpose; this is the net under a line that quotes one by accident (a library's warning about a URI, say).
 */
public final class Redaction {

    public static final String REDACTED = "[REDACTED]";

    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
    /**
     * A name ending in password, token or secret (access_token, newPassword, admin-token, ...), then up to a few
     * quotes, escapes and separators, then the value up to the next quote, space or delimiter.
     */
    private static final Pattern NAMED = Pattern.compile(
            "(?i)((?:password|passwd|token|secret)(?:\\\\?[\"'])?\\s*[:=]?\\s*(?:\\\\?[\"'])?)(?!\\[REDACTED])"
                    + "[^\\s\"'\\\\&,;}\\]]+");

    private Redaction() {
    }

    public static String redact(String line) {
        if (line.isEmpty()) {
            return line;
        }
        String out = BEARER.matcher(line).replaceAll("$1" + REDACTED);
        return NAMED.matcher(out).replaceAll("$1" + REDACTED);
    }
}
