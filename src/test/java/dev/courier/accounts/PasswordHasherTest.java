package dev.courier.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Hashing happens on the hasher's own threads, and a storm past its queue is refused rather than queued. */
class PasswordHasherTest {

    @Test
    void aHashIsCheckedOnAHashingThreadNotTheCallers() {
        PasswordHasher hasher = new PasswordHasher(1, 1, 1);

        String hash = hasher.hash("correct horse battery");

        assertThat(hasher.matches("correct horse battery", hash)).isTrue();
        assertThat(hasher.matches("wrong horse battery", hash)).isFalse();
        assertThat(hasher.matchesNothing("correct horse battery")).isFalse();
    }

    @Test
    void aHashBeyondTheQueueIsAnsweredOverloadedAtOnce() throws Exception {
        // One thread, one place in the queue, and hashes slow enough (~1 s each) to keep both taken.
        PasswordHasher hasher = new PasswordHasher(60, 1, 1);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> hasher.hash("first password"), callers);
        Thread.sleep(200);
        CompletableFuture<String> queued = CompletableFuture.supplyAsync(() -> hasher.hash("second password"), callers);
        Thread.sleep(200);

        long start = System.nanoTime();
        ApiException refused = catchThrowableOfType(ApiException.class, () -> hasher.hash("third password"));
        long refusedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(refused.code()).isEqualTo(ErrorCode.OVERLOADED);
        assertThat(refusedMillis).as("refused without waiting for a hash").isLessThan(500);
        assertThat(running.get()).isNotBlank();
        assertThat(queued.get()).isNotBlank();
    }
}
