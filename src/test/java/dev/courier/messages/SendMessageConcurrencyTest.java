package dev.courier.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Concurrently;
import dev.courier.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SendMessageConcurrencyTest {

    private static TestServer server;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer::patientPool); // many requests at once, not a shedding test
        api = server.client();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

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
    void fiftyConcurrentSendersGetGaplessSeqs() throws Exception {
        TestUser owner = api.newUser("owner");
        List<TestUser> senders = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            senders.add(api.newUser("sender"));
        }
        long group = api.group(owner, "busy", senders.toArray(TestUser[]::new));

        List<Response> answers = Concurrently.run(50, i -> api.sendMessage(senders.get(i % senders.size()), group,
                "message " + i));

        assertThat(answers).extracting(Response::status).containsOnly(201);
        assertThat(answers).extracting(r -> r.json().path("seq").asLong())
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 50).boxed().toList());
        Response history = api.get("/v1/conversations/" + group + "/messages?limit=500", owner.token());
        assertThat(history.json().path("messages")).extracting(m -> m.path("seq").asLong())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 50).boxed().toList());
    }
}
