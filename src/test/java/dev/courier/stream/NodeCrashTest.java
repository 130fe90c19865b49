package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.NodeProcess;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Two node processes on one PostgreSQL; one dies by SIGKILL while clients on both send. */
class NodeCrashTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void killingANodeLosesNoAcknowledgedMessageAndItsClientsCatchUpOnTheOtherNode() throws Exception {
        String database = TestDatabase.freshDatabase().jdbcUrl();
        // Not a rate-limit test: bob's 60 sends at ~60/s would otherwise meet the default 30/1s messages bucket.
        try (NodeProcess doomed = NodeProcess.start(database, "--rate-limits", "off");
             NodeProcess survivor = NodeProcess.start(database, "--rate-limits", "off")) {
            ApiClient api = new ApiClient(survivor.baseUrl());
            TestUser alice = api.newUser("alice");
            TestUser bob = api.newUser("bob");
            long conversation = api.direct(alice, bob);

            Set<Long> acked = ConcurrentHashMap.newKeySet();
            StreamClient aliceOnDoomed = StreamClient.connect(doomed.baseUrl(), alice.token());
            StreamClient bobOnSurvivor = StreamClient.connect(survivor.baseUrl(), bob.token());
            AtomicBoolean killed = new AtomicBoolean();
            Thread aliceSends = Thread.ofPlatform().start(() -> sendUntil(aliceOnDoomed, conversation, 200, killed));
            Thread bobSends = Thread.ofPlatform().start(() -> sendUntil(bobOnSurvivor, conversation, 60, killed));
            Thread aliceAcks = Thread.ofPlatform().start(() -> collectAcks(aliceOnDoomed, acked));

            while (acked.size() < 20) {
                Thread.sleep(10);
            }
            killed.set(true); // first: alice's sender may see her socket die before kill9 returns
            doomed.kill9();
            assertThat(aliceOnDoomed.awaitClose(WAIT)).isNotEqualTo(1000);
            aliceSends.join();
            bobSends.join();
            aliceAcks.join();
            // bob's acks: every send of his was answered by the surviving node
            List<JsonNode> bobFrames = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (bobFrames.stream().filter(f -> f.path("type").asText().equals("ack")).count() < 60
                    && System.nanoTime() < deadline) {
                bobFrames.addAll(bobOnSurvivor.drain());
                Thread.sleep(20);
            }
            bobFrames.stream().filter(f -> f.path("type").asText().equals("ack"))
                    .forEach(f -> acked.add(f.path("message").path("seq").asLong()));

            // alice reconnects to the survivor and catches up with history
            try (StreamClient aliceAgain = StreamClient.connect(survivor.baseUrl(), alice.token())) {
                JsonNode history = api.get("/v1/conversations/" + conversation + "/messages?after=0&limit=500",
                        alice.token()).json();
                List<Long> seqs = new ArrayList<>();
                history.path("messages").forEach(m -> seqs.add(m.path("seq").asLong()));
                assertThat(seqs).containsExactlyElementsOf(TwoNodeStreamContract.seqs(1, seqs.size()));
                assertThat(seqs).containsAll(acked);
                assertThat(acked.size()).isGreaterThanOrEqualTo(80);

                // and is live again: bob's next message reaches her on the survivor
                TwoNodeStreamContract.send(bobOnSurvivor, conversation, "welcome back");
                JsonNode live = aliceAgain.nextOfType("message", WAIT).path("message");
                assertThat(live.path("body").asText()).isEqualTo("welcome back");
                assertThat(live.path("seq").asLong()).isEqualTo(seqs.size() + 1);
            } finally {
                bobOnSurvivor.close();
            }
        }
    }

    private static void sendUntil(StreamClient stream, long conversation, int count, AtomicBoolean killed) {
        for (int i = 0; i < count; i++) {
            try {
                stream.send(Map.of("type", "send", "conversationId", conversation,
                        "clientMsgId", UUID.randomUUID().toString(), "body", "m" + i));
                Thread.sleep(15);
            } catch (RuntimeException e) {
                if (killed.get()) {
                    return; // the socket died with its node
                }
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Seqs of every message the doomed node acknowledged to alice before it died. */
    private static void collectAcks(StreamClient stream, Set<Long> acked) {
        while (!stream.isClosed()) {
            for (JsonNode frame : stream.drain()) {
                if (frame.path("type").asText().equals("ack")) {
                    acked.add(frame.path("message").path("seq").asLong());
                }
            }
            TwoNodeStreamContract.sleepQuietly(5);
        }
        for (JsonNode frame : stream.drain()) {
            if (frame.path("type").asText().equals("ack")) {
                acked.add(frame.path("message").path("seq").asLong());
            }
        }
    }
}
