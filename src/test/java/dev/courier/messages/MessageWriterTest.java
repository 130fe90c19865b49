package dev.courier.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.db.DatabaseBusyException;
import dev.courier.messages.BatchStore.Outcome;
import dev.courier.ops.MetricNames;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The writers' batching: what goes into one batch, when a batch waits for more, and who waits for whom. */
class MessageWriterTest {

    private static final Duration LINGER = Duration.ofSeconds(3);
    /** A queue-delay target no test here reaches, except the one about a standing queue. */
    private static final Duration NEVER_STANDING = Duration.ofHours(1);
    private static final MessageWriter.Limits ONE_WRITER = new MessageWriter.Limits(1, 100, 100, 16, LINGER, 16,
            NEVER_STANDING, NEVER_STANDING);

    private final List<List<String>> batches = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstBatchMayCommit = new CountDownLatch(1);
    private MessageWriter writer;

    @AfterEach
    void stop() {
        firstBatchMayCommit.countDown();
        if (writer != null) {
            writer.close();
        }
    }

    @Test
    void aSendThatArrivesAloneIsWrittenAtOnce() throws Exception {
        firstBatchMayCommit.countDown();
        writer = oneWriter();

        Instant start = Instant.now();
        submit("alone").get(LINGER.toSeconds() - 1, TimeUnit.SECONDS);
        submit("alone again").get(LINGER.toSeconds() - 1, TimeUnit.SECONDS);

        assertThat(batches).containsExactly(List.of("alone"), List.of("alone again"));
        assertThat(Duration.between(start, Instant.now())).isLessThan(LINGER);
    }

    @Test
    void afterABatchOfSeveralSendsTheNextBatchWaitsForMore() throws Exception {
        writer = oneWriter();
        CompletableFuture<MessageService.Sent> first = submit("first");
        awaitFirstBatch();
        // These queue while the first batch commits, so they make a batch of two: the only writer is busy now.
        submit("queued 1");
        CompletableFuture<MessageService.Sent> queued = submit("queued 2");
        firstBatchMayCommit.countDown();
        first.get(10, TimeUnit.SECONDS);
        queued.get(10, TimeUnit.SECONDS);

        CompletableFuture<MessageService.Sent> early = submit("early");
        Thread.sleep(LINGER.toMillis() / 4);
        CompletableFuture<MessageService.Sent> late = submit("late");
        early.get(10, TimeUnit.SECONDS);
        late.get(10, TimeUnit.SECONDS);

        assertThat(batches).containsExactly(List.of("first"), List.of("queued 1", "queued 2"),
                List.of("early", "late"));
    }

    @Test
    void aBatchThatFailsWithAnErrorIsAnsweredAndTheWriterGoesOn() throws Exception {
        firstBatchMayCommit.countDown();
        writer = new MessageWriter(batch -> {
            if (batch.getFirst().body().equals("doomed")) {
                throw new StackOverflowError("deep enough");
            }
            return store(batch);
        }, ONE_WRITER, stored -> { }, Runnable::run, WriterMetrics.unregistered());

        CompletableFuture<MessageService.Sent> doomed = submit("doomed");
        assertThat(doomed).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(StackOverflowError.class);
        assertThat(submit("after").get(10, TimeUnit.SECONDS).message().body()).isEqualTo("after");
    }

    @Test
    void theAnswersToABatchAndThePublicationOfItsMessagesRunInOneAnswerScope() throws Exception {
        firstBatchMayCommit.countDown();
        List<String> seen = new CopyOnWriteArrayList<>();
        AnswerScope recording = answers -> {
            seen.add("scope opens");
            answers.run();
            seen.add("scope closes");
        };
        writer = new MessageWriter(this::store, ONE_WRITER,
                stored -> stored.forEach(m -> seen.add("published " + m.body())), recording,
                WriterMetrics.unregistered());

        CompletableFuture<MessageService.Sent> sent = new CompletableFuture<>();
        sent.whenComplete((s, failure) -> seen.add("answered " + s.message().body()));
        writer.submit(new PendingSend(1, 7, UUID.randomUUID(), "hello", 0, sent));
        sent.get(10, TimeUnit.SECONDS);
        awaitUpTo10s(() -> seen.contains("scope closes"));

        assertThat(seen).containsExactly("scope opens", "answered hello", "published hello", "scope closes");
    }

    @Test
    void aConversationsNextBatchIsStoredWhileThePreviousOneIsStillBeingPublishedAndIsPublishedAfterIt()
            throws Exception {
        firstBatchMayCommit.countDown();
        CountDownLatch firstPublishing = new CountDownLatch(1);
        CountDownLatch firstMayFinishPublishing = new CountDownLatch(1);
        List<String> published = new CopyOnWriteArrayList<>();
        writer = new MessageWriter(this::store, ONE_WRITER, stored -> {
            stored.forEach(m -> published.add(m.body()));
            if (published.contains("first") && published.size() == 1) {
                firstPublishing.countDown();
                try {
                    firstMayFinishPublishing.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, Runnable::run, WriterMetrics.unregistered());

        submit(7, "first");
        assertThat(firstPublishing.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<MessageService.Sent> second = submit(7, "second");
        awaitUpTo10s(() -> batches.size() >= 2);

        assertThat(batches).as("stored while the first batch's fan-out runs")
                .containsExactly(List.of("first"), List.of("second"));
        assertThat(second).as("answered only after the batch before it").isNotDone();
        firstMayFinishPublishing.countDown();
        second.get(10, TimeUnit.SECONDS);
        awaitUpTo10s(() -> published.size() >= 2);
        assertThat(published).containsExactly("first", "second");
    }

    @Test
    void anAnswerScopeThatFailsAfterABatchDoesNotStopTheAnswersToLaterBatches() throws Exception {
        firstBatchMayCommit.countDown();
        AnswerScope failingOnce = new AnswerScope() {
            private boolean failed;

            @Override
            public void run(Runnable answers) {
                answers.run();
                if (!failed) {
                    failed = true;
                    throw new StackOverflowError("flushing the first batch's frames");
                }
            }
        };
        writer = new MessageWriter(this::store, ONE_WRITER, stored -> { }, failingOnce,
                WriterMetrics.unregistered());

        assertThat(submit("first").get(10, TimeUnit.SECONDS).message().body()).isEqualTo("first");
        assertThat(submit("second").get(10, TimeUnit.SECONDS).message().body()).isEqualTo("second");
    }

    @Test
    void aConversationWhoseBatchIsStillBeingStoredDoesNotHoldUpTheOthers() throws Exception {
        // 7 and 9 would have shared a writer when conversations were spread over the writers by id.
        writer = twoWriters(100);
        CompletableFuture<MessageService.Sent> busy = submit(7, "busy 1");
        awaitFirstBatch();
        CompletableFuture<MessageService.Sent> busyAgain = submit(7, "busy 2");

        assertThat(submit(9, "other").get(LINGER.toSeconds() - 1, TimeUnit.SECONDS).message().body())
                .isEqualTo("other");
        assertThat(busyAgain).as("a conversation is in one writer's hands at a time").isNotDone();
        assertThat(batches).containsExactly(List.of("busy 1"), List.of("other"));

        firstBatchMayCommit.countDown();
        busy.get(10, TimeUnit.SECONDS);
        busyAgain.get(10, TimeUnit.SECONDS);
        assertThat(batches).containsExactly(List.of("busy 1"), List.of("other"), List.of("busy 2"));
    }

    @Test
    void aConversationWithTooManyQueuedSendsIsAnsweredOverloadedWhileTheOthersAreTaken() throws Exception {
        writer = twoWriters(3);
        CompletableFuture<MessageService.Sent> first = submit(7, "first");
        awaitFirstBatch();
        List<CompletableFuture<MessageService.Sent>> queued =
                List.of(submit(7, "q1"), submit(7, "q2"), submit(7, "q3"));

        assertThat(submit(7, "one too many")).failsWithin(Duration.ofSeconds(1))
                .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(DatabaseBusyException.class)
                .withMessageContaining("too many sends queued for this conversation");
        assertThat(submit(9, "other").get(LINGER.toSeconds() - 1, TimeUnit.SECONDS).message().body())
                .isEqualTo("other");

        firstBatchMayCommit.countDown();
        first.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<MessageService.Sent> q : queued) {
            q.get(10, TimeUnit.SECONDS);
        }
        assertThat(batches).containsExactly(List.of("first"), List.of("other"), List.of("q1", "q2", "q3"));
    }

    @Test
    void whileQueuedSendsWaitLongerThanTheTargetForAWholeIntervalNewSendsAreRefusedAtOnce() throws Exception {
        writer = new MessageWriter(this::store, new MessageWriter.Limits(1, 100, 100, 16, Duration.ZERO, 16,
                Duration.ofMillis(20), Duration.ofMillis(50)), stored -> { }, Runnable::run,
                WriterMetrics.unregistered());
        CompletableFuture<MessageService.Sent> first = submit(7, "first");
        awaitFirstBatch(); // the only writer is stuck in this batch's statement
        CompletableFuture<MessageService.Sent> waiting = submit(8, "waits");
        Thread.sleep(30);
        CompletableFuture<MessageService.Sent> burst = submit(9, "a burst is let in");
        Thread.sleep(80);

        assertThat(burst).as("queued until now").isNotDone();
        assertThat(submit(9, "refused")).failsWithin(Duration.ofMillis(100))
                .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(DatabaseBusyException.class)
                .withMessageContaining("behind");

        firstBatchMayCommit.countDown();
        for (CompletableFuture<MessageService.Sent> accepted : List.of(first, waiting, burst)) {
            accepted.get(10, TimeUnit.SECONDS);
        }
        assertThat(submit(9, "after the queue drained").get(10, TimeUnit.SECONDS).message().body())
                .isEqualTo("after the queue drained");
    }

    @Test
    void sendsStillQueuedWhenTheWritersStopAreAnsweredAndLaterOnesRefused() throws Exception {
        writer = oneWriter();
        CompletableFuture<MessageService.Sent> first = submit("first");
        awaitFirstBatch();
        CompletableFuture<MessageService.Sent> queued = submit("queued");
        Thread closing = Thread.ofPlatform().start(writer::close);
        Thread.sleep(200);
        firstBatchMayCommit.countDown();
        closing.join(10_000);

        assertThat(first.get(1, TimeUnit.SECONDS).message().body()).as("the batch in hand is finished")
                .isEqualTo("first");
        assertThat(queued).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(DatabaseBusyException.class);
        assertThat(submit("after")).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(DatabaseBusyException.class);
    }

    @Test
    void theFiguresCountEachBatchAndHowLongItsSendsWaitedForAWriter() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        writer = new MessageWriter(this::store, ONE_WRITER, stored -> { }, Runnable::run, new WriterMetrics(meters));
        CompletableFuture<MessageService.Sent> first = submit("first");
        awaitFirstBatch();
        submit("queued 1");
        CompletableFuture<MessageService.Sent> queued = submit("queued 2");
        Thread.sleep(100); // the two wait this long behind the first batch, at least
        firstBatchMayCommit.countDown();
        first.get(10, TimeUnit.SECONDS);
        queued.get(10, TimeUnit.SECONDS);
        // a batch's publish time is recorded after its sends are answered: stopping the writer orders it before
        // the reads below
        writer.close();

        DistributionSummary sizes = meters.get(MetricNames.MESSAGES_BATCH_SIZE).summary();
        assertThat(sizes.count()).isEqualTo(2);
        assertThat(sizes.totalAmount()).isEqualTo(3);
        Timer waits = meters.get(MetricNames.MESSAGES_QUEUE_WAIT).timer();
        assertThat(waits.count()).isEqualTo(3);
        assertThat(waits.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(100);
        assertThat(meters.get(MetricNames.MESSAGES_BATCH_PUBLISH).timer().count()).isEqualTo(2);
    }

    @Test
    void aGatheredBatchIsSharedEvenlyWithAWaitingWriterOnlyWhenEachPartIsLargeEnough() {
        assertThat(MessageWriter.part(146, 1, 32, 256)).as("two parts of 73").isEqualTo(73);
        assertThat(MessageWriter.part(64, 1, 32, 256)).as("two parts of 32").isEqualTo(32);
        assertThat(MessageWriter.part(63, 1, 32, 256)).as("a part would be under 32: one statement").isEqualTo(63);
        assertThat(MessageWriter.part(5, 3, 32, 256)).isEqualTo(5);
        assertThat(MessageWriter.part(100, 3, 32, 256)).as("three writers' worth, not four").isEqualTo(34);
        assertThat(MessageWriter.part(600, 1, 32, 256)).as("never beyond the batch limit").isEqualTo(256);
        assertThat(MessageWriter.part(146, 0, 32, 256)).as("nobody waiting: all of it").isEqualTo(146);
    }

    private MessageWriter twoWriters(int maxQueuedPerConversation) {
        return new MessageWriter(this::store,
                new MessageWriter.Limits(2, 100, maxQueuedPerConversation, 16, LINGER, 16, NEVER_STANDING,
                        NEVER_STANDING),
                stored -> { }, Runnable::run, WriterMetrics.unregistered());
    }

    /** Polls until {@code condition} holds or 10 s have passed; the assertions after it say which. */
    private static void awaitUpTo10s(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (!condition.getAsBoolean() && Instant.now().isBefore(deadline)) {
            Thread.sleep(5);
        }
    }

    /** The first batch is being stored (and waits for {@code firstBatchMayCommit}). */
    private void awaitFirstBatch() throws InterruptedException {
        while (batches.isEmpty()) {
            Thread.sleep(5);
        }
    }

    private MessageWriter oneWriter() {
        return new MessageWriter(this::store, ONE_WRITER, stored -> { }, Runnable::run, WriterMetrics.unregistered());
    }

    private List<Outcome> store(List<PendingSend> batch) {
        batches.add(batch.stream().map(PendingSend::body).toList());
        if (batches.size() == 1) {
            try {
                firstBatchMayCommit.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (PendingSend send : batch) {
            Message message = new Message(batches.size(), send.conversationId(), outcomes.size() + 1, send.senderId(),
                    send.clientMsgId(), send.body(), Instant.now());
            outcomes.add(new Outcome(send, new MessageService.Sent(message, true), null));
        }
        return outcomes;
    }

    private CompletableFuture<MessageService.Sent> submit(String body) {
        return submit(7, body);
    }

    private CompletableFuture<MessageService.Sent> submit(long conversationId, String body) {
        CompletableFuture<MessageService.Sent> result = new CompletableFuture<>();
        writer.submit(new PendingSend(1, conversationId, UUID.randomUUID(), body, 0, result));
        return result;
    }
}
