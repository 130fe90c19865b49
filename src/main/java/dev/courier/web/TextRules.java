package dev.courier.web;

/** Checks shared by every text field the contract limits: length in code points, no NUL, no lone surrogate. */
public final class TextRules {

    private TextRules() {
    }

    /** Returns {@code value} when it has {@code min..max} code points and is well-formed; throws validation_failed. */
    public static String requireLength(String field, String value, int min, int max) {
        requireWellFormed(field, value);
        int length = value.codePointCount(0, value.length());
        if (length < min || length > max) {
            throw ApiException.invalid(field, field + " must be " + min + "-" + max + " characters");
        }
        return value;
    }

    public static void requireWellFormed(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                throw ApiException.invalid(field, field + " must not contain NUL");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw ApiException.invalid(field, field + " is not valid Unicode");
            }
            if (Character.isLowSurrogate(c)) {
                throw ApiException.invalid(field, field + " is not valid Unicode");
            }
        }
    }

    /** True when {@code value} has no NUL and no lone surrogate: it can be stored, hashed and encoded as UTF-8. */
    public static boolean isWellFormed(String value) {
        try {
            requireWellFormed("value", value);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    /** True when every code point is white space or a space separator (a plain loop: it runs on every send). */
    public static boolean isBlank(String value) {
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }
}
