package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchedLookupTest {

    /** Longer than any test waits: no batch counts as stuck. */
    private static final Duration PATIENT = Duration.ofMinutes(1);

    /** Answers each key with its square, records every batch, and holds the first batch until released. */
    private static final class Squares {
        final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch firstStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        Map<Integer, Integer> lookUp(List<Integer> keys) {
            batches.add(List.copyOf(keys));
            firstStarted.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Map<Integer, Integer> found = new HashMap<>();
            keys.stream().filter(k -> k >= 0).forEach(k -> found.put(k, k * k));
            return found;
        }
    }

    @Test
    void keysAskedForWhileABatchRunsAreLookedUpTogetherInTheNext() throws Exception {
        Squares squares = new Squares();
        BatchedLookup<Integer, Integer> lookup = new BatchedLookup<>("test", squares::lookUp, 100, 1,
                PATIENT, () -> { }, new SimpleMeterRegistry());
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Optional<Integer>> first = callers.submit(() -> lookup.get(1));
            assertThat(squares.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<Optional<Integer>>> rest = new ArrayList<>();
            for (int k = 2; k <= 50; k++) {
                int key = k;
                rest.add(callers.submit(() -> lookup.get(key)));
            }
            // every one of them queued behind the running batch before it ends
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (queuedKeys(lookup) < 49 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            squares.release.countDown();

            assertThat(first.get(10, TimeUnit.SECONDS)).contains(1);
            for (int k = 2; k <= 50; k++) {
                assertThat(rest.get(k - 2).get(10, TimeUnit.SECONDS)).contains(k * k);
            }
        }
        assertThat(squares.batches).hasSize(2);
        assertThat(squares.batches.get(1)).hasSize(49);
    }

    @Test
    void callersAskingForTheSameKeyAtOnceShareOneLookup() throws Exception {
        Squares squares = new Squares();
        BatchedLookup<Integer, Integer> lookup = new BatchedLookup<>("test", squares::lookUp, 100, 1,
                PATIENT, () -> { }, new SimpleMeterRegistry());
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Optional<Integer>>> answers = new ArrayList<>();
            answers.add(callers.submit(() -> lookup.get(7)));
            assertThat(squares.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 20; i++) {
                answers.add(callers.submit(() -> lookup.get(7)));
            }
            Thread.sleep(100);
            squares.release.countDown();
            for (Future<Optional<Integer>> answer : answers) {
                assertThat(answer.get(10, TimeUnit.SECONDS)).contains(49);
            }
        }
        assertThat(squares.batches).containsExactly(List.of(7));
    }

    @Test
    void aKeyTheLookupDidNotFindIsAnsweredEmpty() {
        Squares squares = new Squares();
        squares.release.countDown();
        BatchedLookup<Integer, Integer> lookup = new BatchedLookup<>("test", squares::lookUp, 100, 2,
                PATIENT, () -> { }, new SimpleMeterRegistry());
        assertThat(lookup.get(-3)).isEmpty();
        assertThat(lookup.get(3)).contains(9);
    }

    @Test
    void aFailedBatchFailsItsCallersWithItsExceptionAndTheNextBatchRunsAnew() {
        List<Integer> calls = new CopyOnWriteArrayList<>();
        BatchedLookup<Integer, Integer> lookup = new BatchedLookup<>("test", keys -> {
            calls.add(keys.size());
            if (calls.size() == 1) {
                throw new DatabaseBusyException("every database connection is held by slow work");
            }
            return Map.of(keys.getFirst(), 1);
        }, 100, 1, PATIENT, () -> { }, new SimpleMeterRegistry());

        assertThatThrownBy(() -> lookup.get(5)).isInstanceOf(DatabaseBusyException.class);
        assertThat(lookup.get(5)).contains(1);
        assertThat(calls).containsExactly(1, 1);
    }

    @Test
    void noBatchIsLargerThanItsLimit() throws Exception {
        Squares squares = new Squares();
        BatchedLookup<Integer, Integer> lookup = new BatchedLookup<>("test", squares::lookUp, 10, 1,
                PATIENT, () -> { }, new SimpleMeterRegistry());
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Optional<Integer>> first = callers.submit(() -> lookup.get(0));
            assertThat(squares.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<Optional<Integer>>> rest = new ArrayList<>();
            for (int k = 1; k <= 35; k++) {
                int key = k;
                rest.add(callers.submit(() -> lookup.get(key)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (queuedKeys(lookup) < 35 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            squares.release.countDown();
            first.get(10, TimeUnit.SECONDS);
            for (int k = 1; k <= 35; k++) {
                assertThat(rest.get(k - 1).get(10, TimeUnit.SECONDS)).contains(k * k);
            }
        }
        assertThat(squares.batches).allMatch(b -> b.size() <= 10);
        assertThat(squares.batches.stream().mapToInt(List::size).sum()).isEqualTo(36);
        assertThat(squares.batches).hasSize(5);
    }

    @Test
    void aCallerFindingEveryBatchStuckIsRefusedAtOnceWhenThePoolWouldRefuseIt() throws Exception {
        Squares squares = new Squares();
        BatchedLookup<Integer, Integer> lookup = new BatchedLookup<>("test", squares::lookUp, 100, 1,
                Duration.ofMillis(50), () -> {
                    throw new DatabaseBusyException("every database connection is held by slow work");
                }, new SimpleMeterRegistry());
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Optional<Integer>> stuck = callers.submit(() -> lookup.get(1));
            assertThat(squares.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(100);

            long start = System.nanoTime();
            assertThatThrownBy(() -> lookup.get(2)).isInstanceOf(DatabaseBusyException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

            squares.release.countDown();
            assertThat(stuck.get(10, TimeUnit.SECONDS)).contains(1);
        }
    }

    private static int queuedKeys(BatchedLookup<?, ?> lookup) {
        return lookup.queued();
    }
}
