package dev.courier.accounts;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Argon2id with OWASP's minimum memory (19 MiB) and parallelism 1. The cost is the iteration count. A login for
 * an unknown username still spends one verification, so timing does not reveal which usernames exist.
 */
final class PasswordHasher {

    private final Argon2PasswordEncoder encoder;
    private final String decoyHash;

    PasswordHasher(int iterations) {
        this.encoder = new Argon2PasswordEncoder(16, 32, 1, 19 * 1024, iterations);
        this.decoyHash = encoder.encode("decoy password that no account has");
    }

    String hash(String password) {
        return encoder.encode(password);
    }

    boolean matches(String password, String hash) {
        return encoder.matches(password, hash);
    }

    /** Spends the same work as a real verification and fails. */
    boolean matchesNothing(String password) {
        encoder.matches(password, decoyHash);
        return false;
    }
}
