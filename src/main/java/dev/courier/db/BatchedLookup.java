package dev.courier.db;

import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Lookups by key that many threads make at once, answered a batch at a time: one statement for every key asked for
 * while the previous batch ran, the way the message writers store every send queued during the previous commit.
 * Two callers asking for the same key at once share one answer. At most {@code concurrency} batches run at once, each
 * on the thread of one of the callers waiting for it, so a thousand lookups arriving together cost a few statements
 * and at most {@code concurrency} connections, not a thousand borrows queued at the pool.
 *
 * <p>A caller whose key is taken into a batch waits for that batch; a caller that finds the batches all running
 * leaves its key queued for the next one, which the first runner to finish takes. A failed batch fails each of its
 * callers with the batch's exception (a {@link DatabaseBusyException} answers them all {@code overloaded}).
 *
 * <p>The queue must not hide a stuck database from the pool's fast refusals: a caller that finds every place taken by
 * a batch that has run longer than {@code stalledAfter} (the pool's acquisition deadline) first asks
 * {@code whenStalled} whether the pool would refuse it now ({@link Database#refuseIfSaturated}: every connection it may
 * use held by slow work), and is refused {@code overloaded} at once if so, as a caller of the pool would be, rather
 * than after the stuck statements end. It does not look its key up on its own: under a storm, on a starved CPU, a
 * batch takes longer than the deadline without anything being stuck, and a thousand callers each borrowing for
 * itself is what the batches are there to prevent.
 *
 * @param <K> the key; equal keys are looked up once
 * @param <V> what a key is found to be; a key the batch did not find is answered empty
 */
public final class BatchedLookup<K, V> {

    private final Function<List<K>, Map<K, V>> lookupAll;
    private final int maxBatch;
    /** Places for the batches that may run at once. */
    private final Semaphore running;
    private final ConcurrentLinkedQueue<K> queued = new ConcurrentLinkedQueue<>();
    private final Map<K, CompletableFuture<Optional<V>>> pending = new ConcurrentHashMap<>();
    /** When each batch holding a place began ({@link System#nanoTime()}), by place taken. */
    private final Map<Object, Long> runningSince = new ConcurrentHashMap<>();
    private final long stalledAfterNanos;
    private final Runnable whenStalled;
    private final DistributionSummary batchSize;
    private final Counter shared;

    /**
     * @param name        the lookup's name in the metrics, e.g. {@code sessions}
     * @param lookupAll   one statement for all the keys given (distinct, at most {@code maxBatch}): what it found of them
     * @param maxBatch    keys per statement at most
     * @param concurrency batches (statements, connections) at once at most while they make progress
     * @param stalledAfter a batch running longer may be stuck
     * @param whenStalled  run for a caller that finds every batch running longer than {@code stalledAfter}: throws to
     *                     refuse the caller now (e.g. {@link Database#refuseIfSaturated}), or returns to let it wait
     */
    public BatchedLookup(String name, Function<List<K>, Map<K, V>> lookupAll, int maxBatch, int concurrency,
                         Duration stalledAfter, Runnable whenStalled, MeterRegistry meters) {
        if (maxBatch < 1 || concurrency < 1) {
            throw new IllegalArgumentException("a batched lookup needs a batch of at least one and one place to run");
        }
        this.lookupAll = lookupAll;
        this.maxBatch = maxBatch;
        this.running = new Semaphore(concurrency);
        this.stalledAfterNanos = stalledAfter.toNanos();
        this.whenStalled = whenStalled;
        this.batchSize = DistributionSummary.builder(MetricNames.DB_LOOKUP_BATCH_SIZE)
                .description("Keys looked up together in one statement, by lookup")
                .tag("lookup", name)
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue((double) maxBatch)
                .register(meters);
        this.shared = Counter.builder(MetricNames.DB_LOOKUP_SHARED)
                .description("Lookups answered by a lookup of the same key already under way, by lookup")
                .tag("lookup", name)
                .register(meters);
    }

    /** What {@code key} is found to be, looked up in the next batch (or the one under way for it). */
    public Optional<V> get(K key) {
        CompletableFuture<Optional<V>> underWay = pending.get(key);
        if (underWay == null) {
            if (stalled()) {
                whenStalled.run(); // may refuse this caller now
            }
            CompletableFuture<Optional<V>> mine = new CompletableFuture<>();
            underWay = pending.putIfAbsent(key, mine);
            if (underWay == null) {
                queued.add(key);
                runWhileQueued();
                return await(mine);
            }
        }
        shared.increment();
        return await(underWay);
    }

    /** Whether every place is held by a batch that has run longer than {@code stalledAfter}. */
    private boolean stalled() {
        if (running.availablePermits() > 0) {
            return false;
        }
        long now = System.nanoTime();
        boolean any = false;
        for (long since : runningSince.values()) {
            if (now - since < stalledAfterNanos) {
                return false;
            }
            any = true;
        }
        return any;
    }

    /**
     * Runs batches while keys are queued and a place is free. A runner looks at the queue again after it gave its
     * place back: a key queued by a caller that found every place taken is then taken by whichever runner ends next.
     */
    private void runWhileQueued() {
        while (!queued.isEmpty() && running.tryAcquire()) {
            Object place = new Object();
            runningSince.put(place, System.nanoTime());
            try {
                runOneBatch();
            } finally {
                runningSince.remove(place);
                running.release();
            }
        }
    }

    private void runOneBatch() {
        List<K> batch = new ArrayList<>(Math.min(maxBatch, 64));
        K key;
        while (batch.size() < maxBatch && (key = queued.poll()) != null) {
            batch.add(key);
        }
        if (!batch.isEmpty()) {
            runBatch(batch);
        }
    }

    /** Looks {@code batch} up in one statement and answers each of its callers. */
    private void runBatch(List<K> batch) {
        batchSize.record(batch.size());
        Map<K, V> found;
        try {
            found = lookupAll.apply(batch);
        } catch (RuntimeException | Error failure) {
            for (K k : batch) {
                CompletableFuture<Optional<V>> waiting = pending.remove(k);
                if (waiting != null) {
                    waiting.completeExceptionally(failure);
                }
            }
            return;
        }
        for (K k : batch) {
            // removed before it is completed: a caller that comes after the answer asks anew, and sees later writes
            CompletableFuture<Optional<V>> waiting = pending.remove(k);
            if (waiting != null) {
                waiting.complete(Optional.ofNullable(found.get(k)));
            }
        }
    }

    /** Keys waiting for a batch right now; a walk over the queue, for tests. */
    int queued() {
        return queued.size();
    }

    private static <V> Optional<V> await(CompletableFuture<Optional<V>> answer) {
        try {
            return answer.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
