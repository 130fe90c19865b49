package dev.courier.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.config.CourierConfig;
import dev.courier.config.JdbcTarget;
import dev.courier.testing.Concurrently;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SendMessageConcurrencyTest {

    // many requests at once, not a shedding test
    @RegisterExtension
    static final TestServerExtension sharedServer = TestServerExtension.configuredBy(TestServer::patientPool);
    @SharedServer
    private static ApiClient api;

    @Test
    void twentyParallelSendsWithOneClientMsgIdStoreOneMessage() throws Exception {
        TestUser alice = api.newUser("alice");
        TestUser bob = api.newUser("bob");
        long conversation = api.direct(alice, bob);
        String clientMsgId = UUID.randomUUID().toString();

        List<Response> answers = Concurrently.run(20, i -> api.post("/v1/conversations/" + conversation + "/messages",
                alice.token(), Map.of("clientMsgId", clientMsgId, "body", "once only")));

        assertThat(answers).extracting(Response::status).containsOnly(200, 201);
        assertThat(answers).filteredOn(r -> r.status() == 201).hasSize(1);
        assertThat(answers).extracting(r -> r.json().path("id").asLong()).containsOnly(
                answers.getFirst().json().path("id").asLong());
        assertThat(answers).extracting(r -> r.json().path("seq").asLong()).containsOnly(1L);
        Response history = api.get("/v1/conversations/" + conversation + "/messages", bob.token());
        assertThat(history.json().path("messages")).hasSize(1);
    }

    @Test
    void oneClientMsgIdSentToTwoConversationsThroughTwoNodesAtOnceIsStoredOnceWithoutASeqGap() throws Exception {
        // Each node locks only its own conversation, so their inserts collide on the sender's clientMsgId: the loser
        // keeps nothing of its batch (no seq claimed) and its second pass finds the winner's message.
        JdbcTarget database = TestDatabase.freshDatabase();
        CourierConfig config = TestServer.patientPool(TestServer.defaultConfig(database));
        try (TestServer first = TestServer.start(config); TestServer second = TestServer.start(config)) {
            List<ApiClient> nodes = List.of(first.client(), second.client());
            TestUser alice = nodes.get(0).newUser("alice");
            List<Long> conversations = List.of(nodes.get(0).direct(alice, nodes.get(0).newUser("bob")),
                    nodes.get(0).direct(alice, nodes.get(0).newUser("carol")));
            for (int round = 1; round <= 30; round++) {
                String clientMsgId = UUID.randomUUID().toString();
                List<Response> answers = Concurrently.run(2, i -> nodes.get(i).post("/v1/conversations/"
                        + conversations.get(i) + "/messages", alice.token(),
                        Map.of("clientMsgId", clientMsgId, "body", "same body")));
                assertThat(answers).extracting(Response::status).containsExactlyInAnyOrder(201, 409);
                assertThat(answers).filteredOn(r -> r.status() == 409).extracting(Response::errorCode)
                        .containsOnly("client_msg_id_reused");
            }
            assertThat(first.queryLong("SELECT count(*) FROM messages")).isEqualTo(30);
            assertThat(first.queryLong("SELECT count(*) FROM conversations c WHERE c.last_seq <> "
                    + "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) OR c.last_seq <> "
                    + "coalesce((SELECT max(seq) FROM messages m WHERE m.conversation_id = c.id), 0)")).isZero();
        }
    }

    @Test
    void fiftyConcurrentSendersGetGaplessSeqs() throws Exception {
        TestUser owner = api.newUser("owner");
        List<TestUser> senders = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            senders.add(api.newUser("sender"));
        }
        long group = api.group(owner, "busy", senders.toArray(TestUser[]::new));

        List<Response> answers = Concurrently.run(50, i -> sendComingBackWhenTold(senders.get(i % senders.size()),
                group, "message " + i));

        assertThat(answers).extracting(Response::status).containsOnly(201);
        assertThat(answers).extracting(r -> r.json().path("seq").asLong())
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 50).boxed().toList());
        Response history = api.get("/v1/conversations/" + group + "/messages?limit=500", owner.token());
        assertThat(history.json().path("messages")).extracting(m -> m.path("seq").asLong())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 50).boxed().toList());
    }

    /**
     * A send as the contract asks a client to make it: a {@code 503 overloaded} (a slow machine may shed a burst of
     * fifty) is sent again after its {@code Retry-After} with the same {@code clientMsgId}, at most 20 times.
     */
    private static Response sendComingBackWhenTold(TestUser sender, long conversationId, String body) {
        Map<String, Object> send = Map.of("clientMsgId", UUID.randomUUID().toString(), "body", body);
        String path = "/v1/conversations/" + conversationId + "/messages";
        Response r = api.post(path, sender.token(), send);
        for (int attempt = 1; attempt < 20 && r.status() == 503; attempt++) {
            assertThat(r.header("Retry-After")).as(r.toString()).isNotNull();
            java.util.concurrent.locks.LockSupport.parkNanos(
                    java.time.Duration.ofSeconds(Long.parseLong(r.header("Retry-After"))).toNanos());
            r = api.post(path, sender.token(), send);
        }
        return r;
    }
}
