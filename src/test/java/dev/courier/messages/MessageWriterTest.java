package dev.courier.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.messages.BatchAppender.Outcome;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The writers' batching: what goes into one batch, and when a batch waits for more. */
class MessageWriterTest {

    private static final Duration LINGER = Duration.ofSeconds(3);

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
        writer = oneLaneWriter();

        Instant start = Instant.now();
        submit("alone").get(LINGER.toSeconds() - 1, TimeUnit.SECONDS);
        submit("alone again").get(LINGER.toSeconds() - 1, TimeUnit.SECONDS);

        assertThat(batches).containsExactly(List.of("alone"), List.of("alone again"));
        assertThat(Duration.between(start, Instant.now())).isLessThan(LINGER);
    }

    @Test
    void afterABatchOfSeveralSendsTheNextBatchWaitsForMore() throws Exception {
        writer = oneLaneWriter();
        CompletableFuture<MessageService.Sent> first = submit("first");
        while (batches.isEmpty()) {
            Thread.sleep(5);
        }
        // These queue while the first batch commits, so they make a batch of two: the lane is busy now.
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
    void aBatchThatFailsWithAnErrorIsAnsweredAndTheLaneGoesOn() throws Exception {
        firstBatchMayCommit.countDown();
        writer = new MessageWriter(batch -> {
            if (batch.getFirst().body().equals("doomed")) {
                throw new StackOverflowError("deep enough");
            }
            return store(batch);
        }, 1, 100, 16, LINGER, outcomes -> { }, Runnable::run);

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
        writer = new MessageWriter(this::store, 1, 100, 16, LINGER,
                outcomes -> outcomes.forEach(o -> seen.add("published " + o.send().body())), recording);

        CompletableFuture<MessageService.Sent> sent = new CompletableFuture<>();
        sent.whenComplete((s, failure) -> seen.add("answered " + s.message().body()));
        writer.submit(new PendingSend(1, 7, UUID.randomUUID(), "hello", sent));
        sent.get(10, TimeUnit.SECONDS);
        Instant deadline = Instant.now().plusSeconds(10);
        while (!seen.contains("scope closes") && Instant.now().isBefore(deadline)) {
            Thread.sleep(5);
        }

        assertThat(seen).containsExactly("scope opens", "answered hello", "published hello", "scope closes");
    }

    private MessageWriter oneLaneWriter() {
        return new MessageWriter(this::store, 1, 100, 16, LINGER, outcomes -> { }, Runnable::run);
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
        CompletableFuture<MessageService.Sent> result = new CompletableFuture<>();
        writer.submit(new PendingSend(1, 7, UUID.randomUUID(), body, result));
        return result;
    }
}
