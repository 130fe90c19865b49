package dev.courier.attachments;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Attachment ids: 16 bytes of {@link SecureRandom} in unpadded base64url (22 characters). Knowing one id, or any
 * number of them, tells nothing about another, so an id found in a log or a screenshot is the only way to one, and
 * even that id answers only those allowed to read it.
 */
final class AttachmentIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{22}");

    private AttachmentIds() {
    }

    static String next() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return ENCODER.encodeToString(bytes);
    }

    /** Whether {@code id} could be an id at all; anything else is answered without asking the database. */
    static boolean wellFormed(String id) {
        return id != null && FORM.matcher(id).matches();
    }
}
