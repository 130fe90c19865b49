package dev.courier.messages;

import dev.courier.db.DatabaseBusyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for sends. Each conversation belongs to one lane (by id), and each lane has one writer that
 * takes everything queued, stores it in one transaction and then completes the waiting requests. So:
 * <ul>
 *   <li>one conversation's writes never queue on its row lock from several connections at once, and come out in
 *       the order they were accepted;</li>
 *   <li>under load a batch grows by itself (sends arrive while the previous commit runs), and once batches carry
 *       more than one send the writer also lingers briefly before each one, so that it carries more: storing a
 *       batch has a fixed cost in the database (a round trip, planning, a WAL flush at commit) that dominates a
 *       small batch. When sends arrive one at a time nothing lingers, so an idle server adds no delay;</li>
 *   <li>the writers use at most {@code lanes} connections, leaving the rest of the pool to reads.</li>
 * </ul>
 * Lane queues are bounded; a full queue answers {@code overloaded} at once instead of growing.
 */
final class MessageWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MessageWriter.class);

    private final BlockingQueue<PendingSend>[] lanes;
    private final Thread[] writers;
    private final Function<List<PendingSend>, List<BatchAppender.Outcome>> appender;
    private final int maxBatch;
    private final long lingerNanos;
    private final Consumer<List<BatchAppender.Outcome>> afterCommit;
    private final AnswerScope answerScope;

    /**
     * {@code appender} stores a batch in one transaction; {@code linger} is how long a batch waits for more sends
     * after a batch of more than one; {@code answerScope} runs the answers to each committed batch together with
     * {@code afterCommit}.
     */
    @SuppressWarnings("unchecked")
    MessageWriter(Function<List<PendingSend>, List<BatchAppender.Outcome>> appender, int laneCount, int queueCapacity,
                  int maxBatch, Duration linger, Consumer<List<BatchAppender.Outcome>> afterCommit,
                  AnswerScope answerScope) {
        this.appender = appender;
        this.maxBatch = maxBatch;
        this.lingerNanos = linger.toNanos();
        this.afterCommit = afterCommit;
        this.answerScope = answerScope;
        this.lanes = new BlockingQueue[laneCount];
        this.writers = new Thread[laneCount];
        for (int i = 0; i < laneCount; i++) {
            BlockingQueue<PendingSend> lane = new ArrayBlockingQueue<>(queueCapacity);
            lanes[i] = lane;
            // Platform threads: a writer holds a connection from BEGIN to COMMIT, and under load a virtual thread
            // waits for a carrier behind every queued request after each round trip, which stretches the hold.
            writers[i] = Thread.ofPlatform().daemon().name("message-writer-" + i).start(() -> drain(lane));
        }
    }

    /** Queues a send; its future completes after the batch holding it commits (or fails). */
    void submit(PendingSend send) {
        BlockingQueue<PendingSend> lane = lanes[(int) Math.floorMod(send.conversationId(), (long) lanes.length)];
        if (!lane.offer(send)) {
            send.result().completeExceptionally(new DatabaseBusyException("message queue full"));
        }
    }

    private void drain(BlockingQueue<PendingSend> lane) {
        List<PendingSend> batch = new ArrayList<>(maxBatch);
        boolean busy = false;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                batch.add(lane.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            lane.drainTo(batch, maxBatch - 1);
            if (busy && batch.size() < maxBatch) {
                // One sleep, not a wake-up per arriving send: the senders' offers stay as cheap as when idle.
                LockSupport.parkNanos(lingerNanos);
                lane.drainTo(batch, maxBatch - batch.size());
            }
            busy = batch.size() > 1;
            write(batch);
            batch.clear();
        }
        failAll(lane, new DatabaseBusyException("server is stopping"));
    }

    private void write(List<PendingSend> batch) {
        List<BatchAppender.Outcome> outcomes;
        try {
            outcomes = appender.apply(batch);
        } catch (RuntimeException | Error e) {
            // Every send is answered, whatever went wrong, and the lane lives on: a socket's sends have no timer
            // of their own, and a lane without its writer would leave every later send unanswered.
            if (e instanceof Error) {
                log.error("storing a batch of {} sends failed", batch.size(), e);
            }
            batch.forEach(send -> send.result().completeExceptionally(e));
            return;
        }
        answerScope.run(() -> answerAndPublish(outcomes));
    }

    private void answerAndPublish(List<BatchAppender.Outcome> outcomes) {
        for (BatchAppender.Outcome outcome : outcomes) {
            if (outcome.error() != null) {
                outcome.send().result().completeExceptionally(outcome.error());
            } else {
                outcome.send().result().complete(outcome.sent());
            }
        }
        try {
            afterCommit.accept(outcomes);
        } catch (RuntimeException e) {
            log.error("publishing committed messages failed; clients catch up from history", e);
        }
    }

    private static void failAll(BlockingQueue<PendingSend> lane, RuntimeException why) {
        List<PendingSend> left = new ArrayList<>();
        lane.drainTo(left);
        left.forEach(send -> send.result().completeExceptionally(why));
    }

    @Override
    public void close() {
        for (Thread writer : writers) {
            writer.interrupt();
        }
        for (Thread writer : writers) {
            try {
                writer.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
