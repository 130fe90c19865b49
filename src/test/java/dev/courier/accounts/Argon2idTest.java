package dev.courier.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Hashes are PHC strings that Spring Security's Argon2 encoder reads and writes alike (stored hashes keep working
 * either way), anything else never matches, and a thread's second hash reuses the first one's memory.
 */
class Argon2idTest {

    private static final int MEMORY_KIB = 19 * 1024;
    private final Argon2id argon2 = new Argon2id(16, 32, 1, MEMORY_KIB, 2);
    private final Argon2PasswordEncoder spring = new Argon2PasswordEncoder(16, 32, 1, MEMORY_KIB, 2);

    @Test
    void hashesSpringsEncoderWroteVerifyAndOursVerifyWithIt() {
        String theirs = spring.encode("correct horse battery staple");
        String ours = argon2.encode("correct horse battery staple");

        assertThat(ours).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(argon2.matches("correct horse battery staple", theirs)).isTrue();
        assertThat(argon2.matches("correct horse battery stapler", theirs)).isFalse();
        assertThat(spring.matches("correct horse battery staple", ours)).isTrue();
        assertThat(spring.matches("Correct horse battery staple", ours)).isFalse();
    }

    @Test
    void hashesWithOtherSettingsStillVerify() {
        String cheaper = new Argon2PasswordEncoder(16, 32, 1, 1024, 1).encode("pässwörd ✓");

        assertThat(argon2.matches("pässwörd ✓", cheaper)).isTrue();
        assertThat(argon2.matches("passwort", cheaper)).isFalse();
    }

    @Test
    void anythingButAnArgon2HashNeverMatches() {
        for (String stored : new String[] {null, "", "not a hash", "$2a$10$abcdefghijklmnopqrstuv",
                "$argon2id$v=19$m=19456,t=2,p=1$$", "$argon2id$v=19$m=x,t=2,p=1$c2FsdA$aGFzaA",
                "$argon2x$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$aGFzaA", "$argon2id$v=19$m=16,t=2$c2FsdHNhbHQ$aGFzaA"}) {
            assertThat(argon2.matches("anything", stored)).as(String.valueOf(stored)).isFalse();
        }
    }

    @Test
    void aThreadsSecondHashReusesTheMemoryOfItsFirst() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(id);
        argon2.encode("first");
        long first = threads.getThreadAllocatedBytes(id) - before;
        before = threads.getThreadAllocatedBytes(id);
        argon2.encode("second");
        long second = threads.getThreadAllocatedBytes(id) - before;

        assertThat(first).as("the first hash allocates its 19 MiB").isGreaterThan(MEMORY_KIB * 1024L);
        assertThat(second).as("the second allocates next to nothing").isLessThan(first / 20);
    }
}
