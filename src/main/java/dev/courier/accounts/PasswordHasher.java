package dev.courier.accounts;

import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Argon2id with OWASP's minimum memory (19 MiB) and parallelism 1 ({@link Argon2id}). The cost is the iteration count. A login for
 * an unknown username still spends one verification, so timing does not reveal which usernames exist.
 *
 * <p>Hashing runs on a few platform threads of its own, never on a request's virtual thread. A hash holds a core for
 * tens of milliseconds without a pause, and a virtual thread holds its carrier as long: two logins at once on two
 * cores would stop every other request, frame and database answer of the node for that time. On platform threads
 * the operating system shares the cores between hashing and the carriers. The queue in front of them is bounded: a
 * login storm past it is answered {@code overloaded} at once rather than queued for seconds.
 */
final class PasswordHasher {

    /** As many as cores: hashing keeps its throughput, and the operating system still gives the carriers their turn. */
    private static final int THREADS = Runtime.getRuntime().availableProcessors();
    /** Hashes waiting for a thread, at most: about a second of waiting at a few tens of milliseconds a hash. */
    private static final int QUEUED = 32 * THREADS;

    private final Argon2id encoder;
    private final String decoyHash;
    private final ExecutorService hashing;

    PasswordHasher(int iterations) {
        this(iterations, THREADS, QUEUED);
    }

    PasswordHasher(int iterations, int threads, int queued) {
        this.hashing = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queued),
                Thread.ofPlatform().daemon().name("password-hashing-", 0).factory());
        this.encoder = new Argon2id(16, 32, 1, 19 * 1024, iterations);
        // on a hashing thread, like every hash: each keeps its blocks (Argon2id), and no other thread should
        this.decoyHash = onHashingThread(() -> encoder.encode("decoy password that no account has"));
    }

    String hash(String password) {
        return onHashingThread(() -> encoder.encode(password));
    }

    boolean matches(String password, String hash) {
        return onHashingThread(() -> encoder.matches(password, hash));
    }

    /** Spends the same work as a real verification and fails. */
    boolean matchesNothing(String password) {
        onHashingThread(() -> encoder.matches(password, decoyHash));
        return false;
    }

    private <T> T onHashingThread(Callable<T> work) {
        Future<T> result;
        try {
            result = hashing.submit(work);
        } catch (RejectedExecutionException e) {
            throw ApiException.of(ErrorCode.OVERLOADED, "too many logins at once; try again shortly");
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw ApiException.of(ErrorCode.OVERLOADED, "interrupted while checking the password");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
