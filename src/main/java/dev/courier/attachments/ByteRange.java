package dev.courier.attachments;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One byte range of a {@code Range} header (RFC 9110, section 14), resolved against the file's size.
 *
 * @param first the first byte's offset
 * @param last  the last byte's offset, inclusive
 */
record ByteRange(long first, long last) {

    private static final Pattern SINGLE = Pattern.compile("bytes=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");

    /** Thrown for a range the file cannot satisfy: answered {@code 416}. */
    static final class Unsatisfiable extends RuntimeException {
        Unsatisfiable() {
            super(null, null, false, false);
        }
    }

    long length() {
        return last - first + 1;
    }

    /**
     * The range {@code header} asks for, or empty when the whole file is to be sent: no header, one this server does
     * not serve (several ranges, another unit) or a malformed one, all of which a server may ignore.
     */
    static Optional<ByteRange> parse(String header, long size) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher m = SINGLE.matcher(header);
        if (!m.matches() || m.group(1).isEmpty() && m.group(2).isEmpty()
                || m.group(1).length() > 18 || m.group(2).length() > 18) {
            return Optional.empty();
        }
        if (m.group(1).isEmpty()) {
            // bytes=-N: the last N bytes
            long suffix = Long.parseLong(m.group(2));
            if (suffix == 0 || size == 0) {
                throw new Unsatisfiable();
            }
            return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
        }
        long first = Long.parseLong(m.group(1));
        long last = m.group(2).isEmpty() ? size - 1 : Long.parseLong(m.group(2));
        if (!m.group(2).isEmpty() && last < first) {
            return Optional.empty();
        }
        if (first >= size) {
            throw new Unsatisfiable();
        }
        return Optional.of(new ByteRange(first, Math.min(last, size - 1)));
    }
}
