package dev.courier.messages;

import dev.courier.db.DatabaseBusyException;
import dev.courier.overload.StandingQueue;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for sends. A few writers take what is queued, store it in one transaction and then complete the
 * waiting requests. So:
 * <ul>
 *   <li>a conversation is in one writer's hands at a time, from the batch that takes its sends until that batch
 *       commits: its writes never queue on its row lock from several connections at once, and are stored in the
 *       order they were accepted;</li>
 *   <li>one publisher answers the committed batches and hands their messages to the streams, in the order they
 *       committed, so a conversation's messages come out in seq order while its next batch is already being stored.
 *       When most of the traffic is in a few conversations, every batch holds nearly all of them, and the writers
 *       take turns: then the fan-out of one batch overlaps the statement of the next instead of adding to it;</li>
 *   <li>one busy conversation holds at most one writer. Its sends wait for that writer while the other writers take
 *       every other conversation's, so a group that gets a flood of messages, and a large fan-out for each, does
 *       not delay the rest the way a fixed share of the writers (conversation id modulo the writers) would;</li>
 *   <li>under load a batch grows by itself (sends arrive while the previous commit runs), and once batches carry
 *       more than one send a writer also lingers briefly before it takes one, so that it carries more: storing a
 *       batch has a fixed cost in the database (a round trip, planning, a WAL flush at commit) that dominates a
 *       small batch. One writer lingers at a time, so that the writers do not split what arrives into small
 *       batches. When sends arrive one at a time nothing lingers, so an idle server adds no delay;</li>
 *   <li>what a lingering writer gathered is shared with a writer that is waiting for work, once there is enough for two
 *       statements of at least {@code minShared} sends in different conversations: the two store their parts side by
 *       side, on two database connections, instead of taking turns. With the traffic in a few dozen conversations
 *       every batch held nearly all of them, so one statement at a time ran while the other writer waited, and its
 *       time grew with the batch (about 90 µs a send): at 9,000 msg/s the two writers, taking turns, were in a
 *       statement 90% of the time between them while the machine was a quarter idle, and sends queued behind them
 *       (bench/results/2026-12-06-shared-batches.md);</li>
 *   <li>the writers use at most {@code writers} connections, leaving the rest of the pool to reads.</li>
 * </ul>
 * The queue is bounded, and so is each conversation's share of it: past either bound a send is answered
 * {@code overloaded} at once instead of waiting, so a flooded conversation is shed before it fills the queue for
 * the others. Long before the queue is full, a queue that stands (sends wait longer than the target for a whole
 * interval: {@link StandingQueue}) refuses new sends the same way, so that past capacity the writers keep storing
 * at their full rate while the excess is told at once, instead of every send waiting seconds in silence.
 */
final class MessageWriter implements AutoCloseable {

    /**
     * @param writers                  writer threads, each holding one connection while it stores a batch
     * @param queueCapacity            sends queued at most, all conversations together
     * @param maxQueuedPerConversation sends of one conversation queued at most
     * @param maxBatch                 sends stored together at most
     * @param linger                   how long a writer waits for more sends after a batch of more than one
     * @param minShared                the smallest part of a gathered batch that is left to a waiting writer
     * @param queueDelayTarget         how long sends may wait for a writer; see {@link StandingQueue}
     * @param queueDelayInterval       how long they must have waited longer before new sends are refused
     */
    record Limits(int writers, int queueCapacity, int maxQueuedPerConversation, int maxBatch, Duration linger,
                  int minShared, Duration queueDelayTarget, Duration queueDelayInterval) {
        Limits {
            if (writers < 1 || queueCapacity < 1 || maxQueuedPerConversation < 1 || maxBatch < 1 || minShared < 1) {
                throw new IllegalArgumentException("writer limits must be positive");
            }
        }
    }

    private static final Logger log = LoggerFactory.getLogger(MessageWriter.class);

    private final Limits limits;
    private final BatchStore batches;
    private final CommitPublisher commitPublisher;
    private final AnswerScope answerScope;
    private final WriterMetrics metrics;
    private final Thread[] writers;
    /** Committed batches waiting for the publisher, in commit order; bounded, so a slow fan-out holds the writers. */
    private final BlockingQueue<Committed> committed;
    private final Thread publisher;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workReady = lock.newCondition();
    /** Queued sends by conversation, in the order each conversation's oldest queued send arrived. */
    private final LinkedHashMap<Long, ArrayDeque<PendingSend>> queued = new LinkedHashMap<>();
    /** Conversations in a writer's hands: their queued sends wait for it. */
    private final Set<Long> writing = new HashSet<>();
    /** Whether the writers are behind: then new sends are refused at once instead of queued. */
    private final StandingQueue standingQueue;
    private int queuedCount;
    private int idleWriters;
    private boolean someoneLingers;
    /** A writer left part of what it gathered to a waiting one, which takes it without lingering again. */
    private boolean sharedWithWaiting;
    private boolean closed;

    /**
     * {@code batches} stores each batch in one transaction; {@code answerScope} runs the answers to each committed
     * batch together with the publication of its new messages to {@code commitPublisher}.
     */
    MessageWriter(BatchStore batches, Limits limits, CommitPublisher commitPublisher, AnswerScope answerScope,
                  WriterMetrics metrics) {
        this.limits = limits;
        this.batches = batches;
        this.commitPublisher = commitPublisher;
        this.answerScope = answerScope;
        this.metrics = metrics;
        this.standingQueue = new StandingQueue(limits.queueDelayTarget(), limits.queueDelayInterval());
        this.committed = new ArrayBlockingQueue<>(2 * limits.writers());
        this.publisher = Thread.ofPlatform().daemon().name("message-publisher").start(this::publish);
        this.writers = new Thread[limits.writers()];
        for (int i = 0; i < writers.length; i++) {
            // Platform threads: a writer holds a connection from BEGIN to COMMIT, and under load a virtual thread
            // waits for a carrier behind every queued request after each round trip, which stretches the hold.
            writers[i] = Thread.ofPlatform().daemon().name("message-writer-" + i).start(this::drain);
        }
    }

    /** Queues a send; its future completes after the batch holding it commits (or fails). */
    void submit(PendingSend send) {
        RuntimeException refused = null;
        lock.lock();
        try {
            ArrayDeque<PendingSend> sends = queued.get(send.conversationId());
            if (closed) {
                refused = new DatabaseBusyException("server is stopping");
            } else if (queuedCount >= limits.queueCapacity()) {
                refused = new DatabaseBusyException("message queue full");
            } else if (queuedCount > 0 && standingQueueAt(System.nanoTime())) {
                refused = new DatabaseBusyException("the message writers are behind");
            } else if (sends != null && sends.size() >= limits.maxQueuedPerConversation()) {
                refused = new DatabaseBusyException("too many sends queued for this conversation");
            } else {
                if (sends == null) {
                    sends = new ArrayDeque<>();
                    queued.put(send.conversationId(), sends);
                }
                sends.add(send);
                queuedCount++;
                if (idleWriters > 0 && !writing.contains(send.conversationId())) {
                    workReady.signal();
                }
            }
        } finally {
            lock.unlock();
        }
        if (refused != null) {
            send.result().completeExceptionally(refused);
        }
    }

    /**
     * Whether the queue stands, judged also by the oldest send no writer could take yet: the writers take batches
     * only as fast as their statements finish, and writers stuck in a slow statement take none, yet sends keep
     * arriving and waiting. Called under the lock.
     */
    private boolean standingQueueAt(long nowNanos) {
        Map.Entry<Long, ArrayDeque<PendingSend>> oldest = queued.firstEntry();
        if (!writing.contains(oldest.getKey())) {
            standingQueue.waited(nowNanos - oldest.getValue().peekFirst().createdAtNanos(), nowNanos);
        }
        return standingQueue.standing();
    }

    private void drain() {
        List<PendingSend> batch = new ArrayList<>(limits.maxBatch());
        boolean busy = false;
        while (take(batch, busy)) {
            if (batch.isEmpty()) {
                busy = false; // another writer took what there was while this one lingered
                continue;
            }
            busy = batch.size() > 1;
            metrics.taken(batch); // outside the lock
            try {
                write(batch);
            } finally {
                release(batch);
                batch.clear();
            }
        }
        failQueued();
    }

    /**
     * Waits for sends of a conversation no writer holds, lingers first if the last batch was {@code busy} and no
     * other writer is lingering, then takes them, oldest conversation first, up to the batch's limit. False once the
     * writers are closed.
     */
    private boolean take(List<PendingSend> batch, boolean busy) {
        lock.lock();
        try {
            while (!closed && (!hasFreeWork() || busy && someoneLingers)) {
                if (queuedCount == 0) {
                    standingQueue.drained();
                }
                idleWriters++;
                try {
                    workReady.awaitUninterruptibly();
                } finally {
                    idleWriters--;
                }
            }
            if (closed) {
                return false;
            }
            boolean gatheredAlready = sharedWithWaiting;
            sharedWithWaiting = false;
            if (busy && !gatheredAlready) {
                // One sleep, not a wake-up per arriving send: the senders' offers stay as cheap as when idle.
                someoneLingers = true;
                lock.unlock();
                try {
                    LockSupport.parkNanos(limits.linger().toNanos());
                } finally {
                    lock.lock();
                    someoneLingers = false;
                }
            }
            // Counting the free sends walks the queue: only worth it when there is a writer to share with.
            int part = idleWriters == 0 ? limits.maxBatch()
                    : part(freeSends(), idleWriters, limits.minShared(), limits.maxBatch());
            // Conversations are taken in the order their oldest queued send arrived, so the last one taken has the
            // youngest head: how long that send waited is how far behind the writers are. The oldest send of the batch
            // would not do: a busy group's sends wait for its own previous batch, however idle the writers are.
            long youngestHeadNanos = Long.MIN_VALUE;
            for (Iterator<Map.Entry<Long, ArrayDeque<PendingSend>>> it = queued.entrySet().iterator();
                 it.hasNext() && batch.size() < part; ) {
                Map.Entry<Long, ArrayDeque<PendingSend>> entry = it.next();
                if (writing.contains(entry.getKey())) {
                    continue;
                }
                ArrayDeque<PendingSend> sends = entry.getValue();
                youngestHeadNanos = Math.max(youngestHeadNanos, sends.peekFirst().createdAtNanos());
                while (!sends.isEmpty() && batch.size() < limits.maxBatch()) {
                    batch.add(sends.poll());
                    queuedCount--;
                }
                writing.add(entry.getKey());
                if (sends.isEmpty()) {
                    it.remove();
                }
            }
            if (!batch.isEmpty()) {
                long now = System.nanoTime();
                standingQueue.waited(now - youngestHeadNanos, now);
            }
            // What is left was gathered during this writer's linger: the waiting writer takes it at once.
            sharedWithWaiting = idleWriters > 0 && hasFreeWork();
            if (sharedWithWaiting) {
                workReady.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The batch's conversations are free for the next writer: their later sends may be taken now. */
    private void release(List<PendingSend> batch) {
        lock.lock();
        try {
            for (PendingSend send : batch) {
                writing.remove(send.conversationId());
            }
            signalIfWorkIsLeft();
        } finally {
            lock.unlock();
        }
    }

    private void signalIfWorkIsLeft() {
        if (idleWriters > 0 && hasFreeWork()) {
            workReady.signal();
        }
    }

    /**
     * How many of {@code free} queued sends one writer takes while {@code waiting} others wait for work: its even
     * part, when each part would hold at least {@code minShared}; otherwise all of them, up to {@code maxBatch}, as
     * one statement. A writer takes whole conversations, so its batch can end a little beyond its part.
     */
    static int part(int free, int waiting, int minShared, int maxBatch) {
        int writers = Math.min(waiting + 1, Math.max(1, free / minShared));
        return Math.min(maxBatch, Math.ceilDiv(free, writers));
    }

    /** Queued sends of conversations no writer holds. */
    private int freeSends() {
        int free = 0;
        for (Map.Entry<Long, ArrayDeque<PendingSend>> entry : queued.entrySet()) {
            if (!writing.contains(entry.getKey())) {
                free += entry.getValue().size();
            }
        }
        return free;
    }

    private boolean hasFreeWork() {
        if (queued.size() > writing.size()) {
            return true; // not every queued conversation can be in a writer's hands
        }
        for (Long conversation : queued.keySet()) {
            if (!writing.contains(conversation)) {
                return true;
            }
        }
        return false;
    }

    private void write(List<PendingSend> batch) {
        List<BatchStore.Outcome> outcomes;
        try {
            outcomes = batches.append(batch);
        } catch (RuntimeException | Error e) {
            // Every send is answered, whatever went wrong, and the writer lives on: a socket's sends have no timer
            // of their own, and sends that no writer takes would stay unanswered.
            if (e instanceof Error) {
                log.error("storing a batch of {} sends failed", batch.size(), e);
            }
            batch.forEach(send -> send.result().completeExceptionally(e));
            return;
        }
        Committed stored = new Committed(outcomes, System.nanoTime());
        boolean interrupted = false;
        while (true) {
            try {
                committed.put(stored);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the batch is stored: it must be answered whatever happens
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A stored batch's outcomes, and when it committed; {@link #END} tells the publisher the writers have stopped. */
    private record Committed(List<BatchStore.Outcome> outcomes, long atNanos) {
    }

    private static final Committed END = new Committed(List.of(), 0);

    private void publish() {
        while (true) {
            Committed batch;
            try {
                batch = committed.take();
            } catch (InterruptedException e) {
                continue; // only END stops the publisher: every committed batch is answered
            }
            if (batch == END) {
                return;
            }
            try {
                answerScope.run(() -> answerAndPublish(batch.outcomes()));
            } catch (RuntimeException | Error e) {
                // The publisher lives on: without it no later send would be answered.
                log.error("answering a committed batch of {} sends failed", batch.outcomes().size(), e);
            }
            metrics.published(batch.atNanos());
        }
    }

    private void answerAndPublish(List<BatchStore.Outcome> outcomes) {
        for (BatchStore.Outcome outcome : outcomes) {
            if (outcome.error() != null) {
                outcome.send().result().completeExceptionally(outcome.error());
            } else {
                outcome.send().result().complete(outcome.sent());
            }
        }
        try {
            commitPublisher.publish(storedNow(outcomes));
        } catch (RuntimeException e) {
            log.error("publishing committed messages failed; clients catch up from history", e);
        }
    }

    /** The messages of a batch that its sends stored now, in the batch's order. */
    private static List<Message> storedNow(List<BatchStore.Outcome> outcomes) {
        List<Message> stored = new ArrayList<>(outcomes.size());
        for (BatchStore.Outcome outcome : outcomes) {
            if (outcome.storedNow()) {
                stored.add(outcome.sent().message());
            }
        }
        return stored;
    }

    /** What no writer will take any more is answered: the server is stopping. */
    private void failQueued() {
        List<PendingSend> left = new ArrayList<>();
        lock.lock();
        try {
            queued.values().forEach(left::addAll);
            queued.clear();
            queuedCount = 0;
        } finally {
            lock.unlock();
        }
        left.forEach(send -> send.result().completeExceptionally(new DatabaseBusyException("server is stopping")));
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            workReady.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            for (Thread writer : writers) {
                writer.join(TimeUnit.SECONDS.toMillis(5));
            }
            // After the writers: what they committed is answered before the publisher stops.
            if (!committed.offer(END, 5, TimeUnit.SECONDS)) {
                log.warn("the message publisher did not keep up while stopping; it is left to finish on its own");
                return;
            }
            publisher.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
