package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * What the clients of a fault test were told: every acknowledged send per conversation. Checked afterwards against
 * the stored history: nothing acknowledged is missing, seqs are 1..n without gaps, and the conversation's counter
 * matches its rows (nothing half-written).
 */
final class MessageLedger {

    private final Map<Long, Set<String>> acknowledged = new ConcurrentHashMap<>();
    private final Map<String, Long> outcomes = new ConcurrentHashMap<>();

    /** Sends one message and records the outcome; returns the answer. */
    Response send(ApiClient api, TestUser sender, long conversation) {
        String clientMsgId = UUID.randomUUID().toString();
        Response r = api.post("/v1/conversations/" + conversation + "/messages", sender.token(),
                Map.of("clientMsgId", clientMsgId, "body", "ledger " + clientMsgId));
        if (r.status() == 201 || r.status() == 200) {
            acknowledged.computeIfAbsent(conversation, c -> ConcurrentHashMap.newKeySet()).add(clientMsgId);
        }
        outcomes.merge(r.status() / 100 == 2 ? "ok" : r.status() + " " + r.errorCode(), 1L, Long::sum);
        return r;
    }

    Map<String, Long> outcomes() {
        return outcomes;
    }

    long acknowledgedCount() {
        return acknowledged.values().stream().mapToLong(Set::size).sum();
    }

    /** Reads every conversation back and checks it against what was acknowledged. */
    void verify(ApiClient api, TestUser reader, List<Long> conversations) {
        for (long conversation : conversations) {
            List<JsonNode> messages = new ArrayList<>();
            long after = 0;
            while (true) {
                Response page = api.get("/v1/conversations/" + conversation + "/messages?after=" + after
                        + "&limit=500", reader.token());
                assertThat(page.status()).as("history of %d", conversation).isEqualTo(200);
                page.json().path("messages").forEach(messages::add);
                if (!page.json().path("hasMore").asBoolean() || messages.isEmpty()) {
                    break;
                }
                after = messages.getLast().path("seq").asLong();
            }
            List<Long> seqs = messages.stream().map(m -> m.path("seq").asLong()).toList();
            assertThat(seqs).as("seqs of %d are 1..n", conversation)
                    .isEqualTo(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
            Set<String> stored = messages.stream().map(m -> m.path("clientMsgId").asText()).collect(Collectors.toSet());
            assertThat(stored).as("acknowledged messages of %d", conversation)
                    .containsAll(acknowledged.getOrDefault(conversation, Set.of()));
            Response summary = api.get("/v1/conversations/" + conversation, reader.token());
            assertThat(summary.json().path("lastSeq").asLong()).as("lastSeq of %d", conversation)
                    .isEqualTo(seqs.size());
        }
    }
}
