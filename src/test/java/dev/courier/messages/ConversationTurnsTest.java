package dev.courier.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.db.DatabaseBusyException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConversationTurnsTest {

    private final ConversationTurns turns = new ConversationTurns(Duration.ofMillis(300));

    @Test
    void aChangeWaitsForTheTurnOfItsConversationAndNotForAnotherConversations() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> turns.inTurn(1, () -> {
            holding.countDown();
            await(release);
            return "first";
        }));
        assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(turns.inTurn(2, () -> "another conversation, at once")).isEqualTo("another conversation, at once");
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> turns.inTurn(1, () -> "second"));
        Thread.sleep(100);
        assertThat(second).isNotDone();

        release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("second");
    }

    @Test
    void aChangeThatWaitsLongerThanARequestMayWaitForAConnectionIsRefusedAsOverloaded() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> turns.inTurn(7, () -> {
            holding.countDown();
            await(release);
            return null;
        }));
        assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> turns.inTurn(7, () -> "never")).isInstanceOf(DatabaseBusyException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        } finally {
            release.countDown();
        }
        first.get(5, TimeUnit.SECONDS);
        assertThat(turns.inTurn(7, () -> "free again")).isEqualTo("free again");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
