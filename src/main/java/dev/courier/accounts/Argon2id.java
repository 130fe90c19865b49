package dev.courier.accounts;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes as PHC strings ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}, unpadded Base64), the
 * form Spring Security's {@code Argon2PasswordEncoder} writes and reads, so that stored hashes from either verify with
 * the other, computed with BouncyCastle as that encoder does, but with each thread's 19 MiB of blocks kept between
 * hashes.
 *
 * <p>Why not the encoder itself: it has BouncyCastle allocate every hash's memory afresh, about 19,000 one-kilobyte
 * blocks, so a burst of logins is gigabytes of garbage within seconds. On two cores the collector's concurrent threads
 * fall behind that, and every thread of the node that allocates meanwhile stalls, sends included: up to 377 ms in
 * bench/results/2026-12-07-spikes.md. Kept per thread, the blocks are allocated once per hashing thread.
 *
 * <p>Thread-safe; meant for a small, fixed set of threads (each keeps its blocks for as long as it lives).
 */
final class Argon2id {

    private static final Base64.Encoder BASE64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder BASE64_DECODER = Base64.getDecoder();

    private final int saltLength;
    private final int hashLength;
    private final int parallelism;
    private final int memoryKiB;
    private final int iterations;
    private final SecureRandom random = new SecureRandom();
    private final ThreadLocal<Argon2BytesGenerator.BlockPool> blocks;

    Argon2id(int saltLength, int hashLength, int parallelism, int memoryKiB, int iterations) {
        this.saltLength = saltLength;
        this.hashLength = hashLength;
        this.parallelism = parallelism;
        this.memoryKiB = memoryKiB;
        this.iterations = iterations;
        this.blocks = ThreadLocal.withInitial(() -> new Argon2BytesGenerator.FixedBlockPool(
                Argon2BytesGenerator.getBlockCount(memoryKiB, parallelism)));
    }

    String encode(CharSequence password) {
        byte[] salt = new byte[saltLength];
        random.nextBytes(salt);
        Argon2Parameters parameters = parameters(Argon2Parameters.ARGON2_id, Argon2Parameters.ARGON2_VERSION_13,
                memoryKiB, iterations, parallelism, salt);
        byte[] hash = generate(parameters, password, hashLength);
        return "$argon2id$v=" + Argon2Parameters.ARGON2_VERSION_13 + "$m=" + memoryKiB + ",t=" + iterations + ",p="
                + parallelism + "$" + BASE64.encodeToString(salt) + "$" + BASE64.encodeToString(hash);
    }

    /** Whether {@code password} is the one {@code encoded} was made from; false for anything not an Argon2 hash. */
    boolean matches(CharSequence password, String encoded) {
        if (encoded == null) {
            return false;
        }
        String[] parts = encoded.split("\\$");
        // "", type, [v=version,] m=..,t=..,p=.., salt, hash
        if (parts.length != 5 && parts.length != 6) {
            return false;
        }
        int type = switch (parts[1]) {
            case "argon2id" -> Argon2Parameters.ARGON2_id;
            case "argon2i" -> Argon2Parameters.ARGON2_i;
            case "argon2d" -> Argon2Parameters.ARGON2_d;
            default -> -1;
        };
        if (type < 0) {
            return false;
        }
        try {
            int next = 2;
            int version = Argon2Parameters.ARGON2_VERSION_10;
            if (parts[next].startsWith("v=")) {
                version = Integer.parseInt(parts[next].substring(2));
                next++;
            }
            if (parts.length != next + 3) {
                return false;
            }
            int m = -1;
            int t = -1;
            int p = -1;
            for (String setting : parts[next].split(",")) {
                String[] kv = setting.split("=", 2);
                int value = Integer.parseInt(kv[1]);
                switch (kv[0]) {
                    case "m" -> m = value;
                    case "t" -> t = value;
                    case "p" -> p = value;
                    default -> throw new IllegalArgumentException(kv[0]);
                }
            }
            byte[] salt = BASE64_DECODER.decode(parts[next + 1]);
            byte[] expected = BASE64_DECODER.decode(parts[next + 2]);
            if (m <= 0 || t <= 0 || p <= 0 || expected.length == 0) {
                return false;
            }
            byte[] actual = generate(parameters(type, version, m, t, p, salt), password, expected.length);
            return MessageDigest.isEqual(expected, actual);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
    }

    private Argon2Parameters parameters(int type, int version, int memory, int time, int lanes, byte[] salt) {
        Argon2Parameters.Builder builder = new Argon2Parameters.Builder(type)
                .withSalt(salt)
                .withParallelism(lanes)
                .withMemoryAsKB(memory)
                .withIterations(time)
                .withVersion(version);
        // the kept blocks fit this hasher's own settings; a stored hash made with others gets blocks of its own
        if (memory == memoryKiB && lanes == parallelism) {
            builder.withBlockPool(blocks.get());
        }
        return builder.build();
    }

    private static byte[] generate(Argon2Parameters parameters, CharSequence password, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] hash = new byte[length];
        generator.generateBytes(password.toString().toCharArray(), hash);
        return hash;
    }
}
