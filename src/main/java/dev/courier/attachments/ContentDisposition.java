package dev.courier.attachments;

import java.nio.charset.StandardCharsets;

/**
 * {@code Content-Disposition: attachment} with the file's name as RFC 6266 asks: a plain ASCII {@code filename}
 * every browser reads, and {@code filename*} in RFC 8187's UTF-8 percent-encoding, which browsers prefer when
 * present. The ASCII form replaces what it cannot carry with {@code _}, so a quote or a backslash cannot end it.
 */
final class ContentDisposition {

    private static final String ATTR_CHAR =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~";

    private ContentDisposition() {
    }

    static String attachment(String filename) {
        return "attachment; filename=\"" + asciiFallback(filename) + "\"; filename*=UTF-8''" + encoded(filename);
    }

    private static String asciiFallback(String filename) {
        StringBuilder out = new StringBuilder(filename.length());
        filename.codePoints().forEach(cp -> out.append(cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\'
                ? (char) cp : '_'));
        return out.toString();
    }

    private static String encoded(String filename) {
        StringBuilder out = new StringBuilder();
        for (byte b : filename.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && ATTR_CHAR.indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
