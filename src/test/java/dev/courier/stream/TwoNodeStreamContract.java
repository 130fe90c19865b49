package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.config.CourierConfig;
import dev.courier.config.JdbcTarget;
import dev.courier.config.PresenceConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Concurrently;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestDatabase;
import dev.courier.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two nodes on one PostgreSQL, joined by a bus: what a client on either node must see. Each bus runs this contract
 * in its own subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TwoNodeStreamContract {

    static final Duration WAIT = Duration.ofSeconds(20);
    /** Short enough for a test to wait out, long enough that a busy machine's pauses do not expire a lease. */
    static final PresenceConfig PRESENCE = new PresenceConfig(Duration.ofSeconds(2), Duration.ofSeconds(3));

    JdbcTarget database;
    TestServer nodeA;
    TestServer nodeB;
    ApiClient apiA;
    ApiClient apiB;

    /** The {@code --bus} value both nodes use. */
    abstract String bus();

    /** Breaks the bus connection of the nodes once while messages flow; the nodes must recover by themselves. */
    abstract void breakTheBus();

    /** Starts what the bus needs before the nodes start. */
    void startBus() {
    }

    void stopBus() {
    }

    /** Waits until each node knows the other is there, where a bus needs to know (before that, delivery is late). */
    void awaitNodesSeeEachOther() {
    }

    @BeforeAll
    void startNodes() {
        startBus();
        database = TestDatabase.freshDatabase();
        CourierConfig config = TestServer.patientPool(TestServer.defaultConfig(database)); // many requests at once
        config = config.withStream(config.stream().withBus(bus()).withPresence(PRESENCE));
        nodeA = TestServer.start(config);
        nodeB = TestServer.start(config);
        apiA = nodeA.client();
        apiB = nodeB.client();
        awaitNodesSeeEachOther();
    }

    /**
     * Some tests break the bus on purpose (a listener's connection terminated, the bus server stopped); the nodes heal
     * by themselves, and the next test starts once both listen again, or an event it counts could fall in the gap.
     */
    @BeforeEach
    void bothNodesListenOnTheBus() {
        for (ApiClient api : List.of(apiA, apiB)) {
            assertThat(counterOnceAtLeast(api, "courier_bus_listener_connected", 1)).isEqualTo(1);
        }
        awaitNodesSeeEachOther();
    }

    @AfterAll
    void stopNodes() {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        stopBus();
    }

    @Test
    void twoUsersOnTwoNodesExchangeMessagesBothWays() {
        TestUser alice = apiA.newUser("alice");
        TestUser bob = apiA.newUser("bob");
        long conversation = apiA.direct(alice, bob);
        try (StreamClient a = StreamClient.connect(nodeA.baseUrl(), alice.token());
             StreamClient b = StreamClient.connect(nodeB.baseUrl(), bob.token())) {
            for (int round = 0; round < 3; round++) {
                send(a, conversation, "from alice " + round);
                send(b, conversation, "from bob " + round);
            }
            // Each sees both sides, its own messages included (for its other devices), in one seq order.
            for (StreamClient stream : List.of(a, b)) {
                List<JsonNode> received = stream.messagesUntil(list -> list.size() >= 6, WAIT);
                assertThat(received).extracting(m -> m.path("seq").asLong()).containsExactlyElementsOf(seqs(1, 6));
                assertThat(received).extracting(m -> m.path("body").asText()).containsExactlyInAnyOrder(
                        "from alice 0", "from alice 1", "from alice 2", "from bob 0", "from bob 1", "from bob 2");
            }
        }
    }

    /**
     * Counts the messages and membership changes a node heard; presence changes, which streams opening and closing
     * (in this test and the ones before) cause at their own pace, are counted apart.
     */
    @Test
    void eachNodeHearsTheOtherNodesEventsOnTheBusAndNotItsOwn() {
        String heard = "courier_bus_events_received_total";
        double heardByA = heardOf(apiA);
        double heardByB = heardOf(apiB);
        TestUser alice = apiA.newUser("alice");
        TestUser bob = apiA.newUser("bob");
        long conversation = apiA.direct(alice, bob);
        String awkward = "\"quoted\" \\ back\nslash \u2028 caf\u00e9 \uD83D\uDE00 {\"k\":\"x\"} </script>";
        try (StreamClient a = StreamClient.connect(nodeA.baseUrl(), alice.token());
             StreamClient b = StreamClient.connect(nodeB.baseUrl(), bob.token())) {
            send(a, conversation, awkward);
            JsonNode onB = b.nextOfType("message", WAIT).path("message");
            JsonNode onA = a.nextOfType("message", WAIT).path("message");
            // The bus's copy is the stored message to the last field (body, clientMsgId, createdAt's microseconds).
            assertThat(onB.path("body").asText()).isEqualTo(awkward);
            assertThat(onB).isEqualTo(onA);
            // B heard A's two events (the new conversation, the message), and no sweep of the table stood in for them.
            assertThat(heardOnceAtLeast(apiB, heardByB + 2) - heardByB).isEqualTo(2);
            send(b, conversation, "stored on B");
            assertThat(a.nextOfType("message", WAIT).path("message").path("body").asText()).isEqualTo("stored on B");
            // A delivered its own events locally: the bus brought it B's message only, not its own back.
            assertThat(heardOnceAtLeast(apiA, heardByA + 1) - heardByA).isEqualTo(1);
            assertThat(apiB.metric(heard, "kind=\"presence\"")).as("alice's coming online").isGreaterThanOrEqualTo(1);
        }
    }

    private static double heardOf(ApiClient api) {
        return api.metric("courier_bus_events_received_total", "kind=\"message\"")
                + api.metric("courier_bus_events_received_total", "kind=\"conversation\"");
    }

    private static double heardOnceAtLeast(ApiClient api, double atLeast) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        double value = heardOf(api);
        while (value < atLeast && System.nanoTime() < deadline) {
            sleepQuietly(20);
            value = heardOf(api);
        }
        return value;
    }

    @Test
    void aMessageLargerThanANotificationPayloadArrivesWhole() {
        TestUser alice = apiA.newUser("alice");
        TestUser bob = apiA.newUser("bob");
        long conversation = apiA.direct(alice, bob);
        // 4,000 code points of three UTF-8 bytes each: 12 KB, beyond NOTIFY's 8,000-byte limit.
        String body = "\u20ac".repeat(4_000);
        try (StreamClient b = StreamClient.connect(nodeB.baseUrl(), bob.token())) {
            assertThat(apiA.sendMessage(alice, conversation, body).status()).isEqualTo(201);
            apiA.sendMessage(alice, conversation, "small");
            List<JsonNode> received = b.messagesUntil(list -> list.size() >= 2, WAIT);
            assertThat(received.get(0).path("body").asText()).isEqualTo(body);
            assertThat(received.get(1).path("body").asText()).isEqualTo("small");
        }
    }

    @Test
    void aGroupOf20OverTwoNodesGetsEveryMessageExactlyOnceInSeqOrder() throws Exception {
        List<TestUser> members = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            members.add(apiA.newUser("member"));
        }
        long group = apiA.group(members.getFirst(), "twenty", members.subList(1, 20).toArray(TestUser[]::new));
        List<StreamClient> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                streams.add(StreamClient.connect((i % 2 == 0 ? nodeA : nodeB).baseUrl(), members.get(i).token()));
            }
            // The first sender's other device, on the other node than its first.
            TestUser otherDevice = apiB.login(members.getFirst().username());
            streams.add(StreamClient.connect(nodeB.baseUrl(), otherDevice.token()));

            int senders = 6;
            int perSender = 15;
            try (ExecutorService pool = Executors.newFixedThreadPool(senders)) {
                List<Future<?>> sending = new ArrayList<>();
                for (int s = 0; s < senders; s++) {
                    StreamClient stream = streams.get(s);
                    int sender = s;
                    sending.add(pool.submit(() -> {
                        for (int m = 0; m < perSender; m++) {
                            stream.send(Map.of("type", "send", "conversationId", group,
                                    "clientMsgId", UUID.randomUUID().toString(), "body", sender + ":" + m));
                        }
                    }));
                }
                for (Future<?> f : sending) {
                    f.get();
                }
            }
            int total = senders * perSender;
            for (StreamClient stream : streams) {
                List<JsonNode> received = stream.messagesUntil(list -> list.size() >= total, WAIT);
                assertThat(received).extracting(m -> m.path("seq").asLong())
                        .containsExactlyElementsOf(seqs(1, total));
            }
            Thread.sleep(500);
            for (StreamClient stream : streams) {
                assertThat(stream.drain()).noneMatch(f -> f.path("type").asText().equals("message"));
            }
        } finally {
            streams.forEach(StreamClient::close);
        }
    }

    @Test
    void changesMadeOnBothNodesReachEveryMembersStreamOnEitherNodeEachOnceInChangeSeqOrder() throws Exception {
        TestUser alice = apiA.newUser("alice");
        TestUser bob = apiA.newUser("bob");
        TestUser carol = apiA.newUser("carol");
        long group = apiA.group(alice, "changes", bob, carol);
        for (int i = 1; i <= 4; i++) {
            assertThat(apiA.sendMessage(alice, group, "m" + i).status()).isEqualTo(201);
        }
        try (StreamClient aliceOnA = StreamClient.connect(nodeA.baseUrl(), alice.token());
             StreamClient bobOnB = StreamClient.connect(nodeB.baseUrl(), bob.token());
             StreamClient carolOnA = StreamClient.connect(nodeA.baseUrl(), carol.token())) {
            int changes = 30;
            // Each node makes half of the changes, at the same time as the other.
            List<ApiClient.Response> answers = Concurrently.run(changes, i -> {
                ApiClient api = i % 2 == 0 ? apiA : apiB;
                long seq = 1 + i % 3;
                return switch (i % 3) {
                    case 0 -> api.editMessage(alice, group, seq, "edit " + i);
                    case 1 -> api.react(i % 2 == 0 ? bob : carol, group, seq, "e" + i);
                    default -> api.react(alice, group, seq, "e" + i);
                };
            });
            assertThat(answers).extracting(ApiClient.Response::status).containsOnly(200, 204);
            assertThat(apiB.deleteMessage(alice, group, 4).status()).isEqualTo(204);

            JsonNode stored = apiB.get("/v1/conversations/" + group + "/messages", carol.token()).json();
            for (StreamClient stream : List.of(aliceOnA, bobOnB, carolOnA)) {
                List<JsonNode> seen = stream.changesUntil(
                        list -> !list.isEmpty() && list.getLast().path("changeSeq").asLong() == changes + 1, WAIT);
                assertThat(seen).extracting(m -> m.path("changeSeq").asLong())
                        .containsExactlyElementsOf(seqs(1, changes + 1));
                for (JsonNode message : stored.path("messages")) {
                    JsonNode last = seen.reversed().stream()
                            .filter(m -> m.path("seq").asLong() == message.path("seq").asLong()).findFirst()
                            .orElseThrow(() -> new AssertionError("no change of " + message + " in " + seen));
                    assertThat(last).isEqualTo(message);
                }
            }
        }
    }

    @Test
    void aChangedMessageLargerThanANotificationPayloadArrivesWhole() {
        TestUser alice = apiA.newUser("alice");
        TestUser bob = apiA.newUser("bob");
        long conversation = apiA.direct(alice, bob);
        assertThat(apiA.sendMessage(alice, conversation, "short for now").status()).isEqualTo(201);
        // 4,000 code points of three UTF-8 bytes each: 12 KB, beyond NOTIFY's 8,000-byte limit.
        String body = "\u20ac".repeat(4_000);
        try (StreamClient b = StreamClient.connect(nodeB.baseUrl(), bob.token())) {
            assertThat(apiA.editMessage(alice, conversation, 1, body).status()).isEqualTo(200);
            assertThat(apiA.react(alice, conversation, 1, "\uD83D\uDCAF").status()).isEqualTo(204);

            List<JsonNode> changes = b.changesUntil(list -> list.size() >= 2, WAIT);
            assertThat(changes.get(0).path("body").asText()).isEqualTo(body);
            assertThat(changes.get(1).path("changeSeq").asLong()).isEqualTo(2);
            assertThat(changes.get(1).path("reactions").get(0).path("userIds").get(0).asLong()).isEqualTo(alice.id());
        }
    }

    @Test
    void breakingTheBusWhileMessagesFlowLosesNothing() throws Exception {
        TestUser alice = apiA.newUser("alice");
        TestUser bob = apiA.newUser("bob");
        TestUser carol = apiA.newUser("carol");
        long group = apiA.group(alice, "outage", bob, carol);
        try (StreamClient onA = StreamClient.connect(nodeA.baseUrl(), bob.token());
             StreamClient onB = StreamClient.connect(nodeB.baseUrl(), carol.token())) {
            AtomicInteger stored = new AtomicInteger();
            Thread sender = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 60; i++) {
                    ApiClient api = i % 2 == 0 ? apiA : apiB;
                    if (api.sendMessage(alice, group, "m" + i).status() == 201) {
                        stored.incrementAndGet();
                    }
                    sleepQuietly(5);
                }
            });
            while (stored.get() < 15 && sender.isAlive()) {
                Thread.sleep(5);
            }
            breakTheBus();
            sender.join();
            int total = stored.get();
            assertThat(total).isEqualTo(60);
            for (StreamClient stream : List.of(onA, onB)) {
                List<JsonNode> received = stream.messagesUntil(list -> list.size() >= total, WAIT);
                assertThat(received).extracting(m -> m.path("seq").asLong())
                        .containsExactlyElementsOf(seqs(1, total));
            }
            // The nodes heal by themselves: each counted a reconnect, and a new message arrives live on both.
            for (ApiClient api : List.of(apiA, apiB)) {
                assertThat(counter(api, "courier_bus_listener_reconnects_total")).isGreaterThanOrEqualTo(1);
            }
            try (StreamClient author = StreamClient.connect(nodeA.baseUrl(), alice.token())) {
                send(author, group, "after the outage");
            }
            for (StreamClient stream : List.of(onA, onB)) {
                assertThat(stream.nextOfType("message", WAIT).path("message").path("seq").asLong()).isEqualTo(total + 1);
            }
        }
    }

    @Test
    void typingOnOneNodeReachesTheOtherMembersOnTheOtherNodeWithinASecond() {
        TestUser alice = apiA.newUser("alice");
        TestUser bob = apiA.newUser("bob");
        TestUser carol = apiA.newUser("carol");
        TestUser outsider = apiA.newUser("outsider");
        List<Long> groups = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            groups.add(apiA.group(alice, "typing " + i, bob, carol));
        }
        TestUser alicesPhone = apiB.login(alice.username());
        try (StreamClient a = StreamClient.connect(nodeA.baseUrl(), alice.token());
             StreamClient phone = StreamClient.connect(nodeB.baseUrl(), alicesPhone.token());
             StreamClient b = StreamClient.connect(nodeB.baseUrl(), bob.token());
             StreamClient c = StreamClient.connect(nodeA.baseUrl(), carol.token());
             StreamClient o = StreamClient.connect(nodeB.baseUrl(), outsider.token())) {
            for (long group : groups) {
                long sentAt = System.nanoTime();
                a.send(Map.of("type", "typing", "conversationId", group));
                for (StreamClient member : List.of(b, c)) {
                    JsonNode typing = member.nextOfType("typing", WAIT);
                    assertThat(Duration.ofNanos(System.nanoTime() - sentAt)).isLessThan(Duration.ofSeconds(1));
                    assertThat(typing.path("conversationId").asLong()).isEqualTo(group);
                    assertThat(typing.path("userId").asLong()).isEqualTo(alice.id());
                }
            }
            // bob, on node B, got all three: whatever node B had for the phone and the outsider has been handed out
            for (StreamClient notForThem : List.of(phone, o, a)) {
                assertThat(notForThem.typesUntilPong(WAIT)).doesNotContain("typing");
            }
        }
    }

    @Test
    void aUserIsOnlineForPeersOnTheOtherNodeFromTheFirstStreamAnywhereUntilTheLastClosesAndTheGraceEnds() {
        TestUser alice = apiA.newUser("alice");
        TestUser bob = apiA.newUser("bob");
        long direct = apiA.direct(alice, bob);
        try (StreamClient bobOnB = StreamClient.connect(nodeB.baseUrl(), bob.token())) {
            StreamClient aliceOnA = StreamClient.connect(nodeA.baseUrl(), alice.token());
            assertThat(PresenceTest.presenceOf(bobOnB, alice).path("online").asBoolean()).isTrue();
            JsonNode asMember = PresenceTest.member(apiB.get("/v1/conversations/" + direct, bob.token()).json()
                    .path("members"), alice);
            assertThat(asMember.path("online").asBoolean()).isTrue();

            // she moves to node B within the grace: nobody sees her go
            aliceOnA.close();
            StreamClient aliceOnB = StreamClient.connect(nodeB.baseUrl(), alice.token());
            assertThat(bobOnB.during(PRESENCE.grace().plusSeconds(1))).noneMatch(f -> PresenceTest.isPresenceOf(f, alice));

            long closedAt = System.nanoTime();
            aliceOnB.close();
            JsonNode offline = PresenceTest.presenceOf(bobOnB, alice);
            assertThat(offline.path("online").asBoolean()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isGreaterThanOrEqualTo(PRESENCE.grace().minusMillis(100));
            assertThat(offline.path("lastSeenAt").isTextual()).isTrue();
        }
    }

    @Test
    void aNodeWhoseLeaseRanOutTakesANewOneAndItsUsersEndOnline() {
        TestUser alice = apiA.newUser("alice");
        TestUser bob = apiA.newUser("bob");
        long direct = apiA.direct(alice, bob);
        try (StreamClient bobOnB = StreamClient.connect(nodeB.baseUrl(), bob.token());
             StreamClient aliceOnA = StreamClient.connect(nodeA.baseUrl(), alice.token())) {
            assertThat(PresenceTest.presenceOf(bobOnB, alice).path("online").asBoolean()).isTrue();
            double lost = counter(apiA, "courier_presence_leases_lost_total");
            String aliceNode = "(SELECT node_id FROM presence_streams WHERE user_id = " + alice.id() + ")";
            // As if node A had not renewed its lease in time (a long pause). Whether a sweep takes alice offline first
            // or node A notices first, node A takes a new lease with alice in it and the old one is swept.
            TestDatabase.execute(database, "UPDATE presence_nodes SET expires_at = now() - interval '1 second' "
                    + "WHERE node_id = " + aliceNode);
            assertThat(counterOnceAtLeast(apiA, "courier_presence_leases_lost_total", lost + 1)).isEqualTo(lost + 1);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (nodeA.queryLong("SELECT count(*) FROM presence_nodes WHERE expires_at < now()") > 0
                    && System.nanoTime() < deadline) {
                sleepQuietly(50);
            }
            List<JsonNode> aboutAlice = bobOnB.during(Duration.ofSeconds(1)).stream()
                    .filter(f -> PresenceTest.isPresenceOf(f, alice)).toList();
            if (!aboutAlice.isEmpty()) {
                assertThat(aboutAlice.getLast().path("online").asBoolean()).as(aboutAlice.toString()).isTrue();
            }
            JsonNode asMember = PresenceTest.member(apiB.get("/v1/conversations/" + direct, bob.token()).json()
                    .path("members"), alice);
            assertThat(asMember.path("online").asBoolean()).isTrue();
            assertThat(nodeA.queryLong("SELECT count(*) FROM presence_streams WHERE user_id = "
                    + alice.id())).isEqualTo(1);
        }
    }

    @Test
    void aTokenLoggedOutOnOneNodeIsRefusedOnTheOtherAsSoonAsTheBusBringsTheLogout() {
        String hit = "result=\"hit\"";
        for (int round = 0; round < 5; round++) {
            TestUser alice = apiA.newUser("alice");
            TestUser aliceElsewhere = apiA.login(alice.username());
            assertThat(apiB.get("/v1/me", alice.token()).status()).isEqualTo(200);
            double hitsOnB = apiB.metric("courier_session_cache_requests_total", hit);
            assertThat(apiB.get("/v1/me", alice.token()).status()).isEqualTo(200);
            assertThat(apiB.metric("courier_session_cache_requests_total", hit))
                    .as("node B answers from its cache").isEqualTo(hitsOnB + 1);

            assertThat(apiA.delete("/v1/sessions/current", alice.token()).status()).isEqualTo(204);

            // The logout answered once the bus had carried it to node B's connection. B applies it within moments
            // (a busy machine may let one request slip in first), not when its cached entry ages out after seconds.
            assertThat(untilRefused(apiB, alice.token())).as("round %d", round).isLessThan(Duration.ofSeconds(1));
            assertThat(apiB.get("/v1/me", aliceElsewhere.token()).status()).isEqualTo(200);
        }
    }

    @Test
    void aDeactivationOnOneNodeClosesTheUsersStreamsOnBothNodesWithinASecond() {
        TestUser suspect = apiA.newUser("suspect");
        TestUser suspectElsewhere = apiB.login(suspect.username());
        try (StreamClient onA = StreamClient.connect(nodeA.baseUrl(), suspect.token());
             StreamClient onB = StreamClient.connect(nodeB.baseUrl(), suspectElsewhere.token())) {
            // both nodes have the sessions cached: only the revocation on the bus can stop them at once
            assertThat(apiB.get("/v1/me", suspect.token()).status()).isEqualTo(200);
            long start = System.nanoTime();
            assertThat(apiA.send("POST", "/v1/admin/users/" + suspect.id() + "/deactivate", TestServer.ADMIN_TOKEN,
                    null, null).status()).isEqualTo(204);
            assertThat(onA.awaitClose(WAIT)).isEqualTo(4001);
            assertThat(onB.awaitClose(WAIT)).isEqualTo(4001);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            for (ApiClient api : List.of(apiA, apiB)) {
                for (String token : List.of(suspect.token(), suspectElsewhere.token())) {
                    assertThat(api.get("/v1/me", token).errorCode()).isEqualTo("account_deactivated");
                }
            }
        }
    }

    @Test
    void aPasswordChangedOnOneNodeRevokesTheOtherSessionsOnTheOtherNodeAtOnce() {
        TestUser alice = apiA.newUser("alice");
        TestUser alicesPhone = apiB.login(alice.username());
        try (StreamClient phoneOnB = StreamClient.connect(nodeB.baseUrl(), alicesPhone.token());
             StreamClient laptopOnB = StreamClient.connect(nodeB.baseUrl(), alice.token())) {
            assertThat(apiB.get("/v1/me", alicesPhone.token()).status()).isEqualTo(200);
            long start = System.nanoTime();
            assertThat(apiA.put("/v1/me/password", alice.token(), Map.of("currentPassword", ApiClient.PASSWORD,
                    "newPassword", "another long password")).status()).isEqualTo(204);
            assertThat(untilRefused(apiB, alicesPhone.token())).isLessThan(Duration.ofSeconds(1));
            assertThat(phoneOnB.awaitClose(WAIT)).isEqualTo(4001);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(laptopOnB.isClosed()).as("the session that changed the password keeps its stream").isFalse();
            assertThat(apiB.get("/v1/me", alice.token()).status()).isEqualTo(200);
        }
    }

    /** How long after the call {@code token} is first refused, polling for at most a second. */
    private static Duration untilRefused(ApiClient api, String token) {
        long start = System.nanoTime();
        while (api.get("/v1/me", token).status() != 401 && System.nanoTime() - start < 1_000_000_000L) {
            sleepQuietly(5);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void aRevocationLostWithTheBusStillClosesTheStreamAndEmptiesTheCacheOnceTheBusIsBack() {
        TestUser alice = apiA.newUser("alice");
        TestUser aliceElsewhere = apiA.login(alice.username());
        // Opening the streams put both sessions in node B's cache.
        try (StreamClient onB = StreamClient.connect(nodeB.baseUrl(), alice.token());
             StreamClient kept = StreamClient.connect(nodeB.baseUrl(), aliceElsewhere.token())) {
            // The session ends without any event on the bus, as when a revocation's notification is lost.
            TestDatabase.execute(database, "DELETE FROM sessions WHERE user_id = " + alice.id()
                    + " AND token_hash = sha256('" + alice.token() + "'::bytea)");
            assertThat(onB.isClosed()).isFalse();
            breakTheBus();
            assertThat(onB.awaitClose(WAIT)).isEqualTo(4001);
            assertThat(kept.isClosed()).isFalse();
            // Node B's cache heard of the loss before its streams did.
            assertThat(apiB.get("/v1/me", alice.token()).status()).isEqualTo(401);
            assertThat(apiB.get("/v1/me", aliceElsewhere.token()).status()).isEqualTo(200);
        }
    }

    static double counter(ApiClient api, String name) {
        return api.metric(name);
    }

    /**
     * The counter once it reached {@code atLeast}, or after {@link #WAIT}: a bus counts its events once it has handed
     * them over, so a frame can reach its client just before the count moves.
     */
    static double counterOnceAtLeast(ApiClient api, String name, double atLeast) {
        return api.metricOnce(name, value -> value >= atLeast, WAIT);
    }

    static void send(StreamClient stream, long conversation, String body) {
        stream.send(Map.of("type", "send", "conversationId", conversation,
                "clientMsgId", UUID.randomUUID().toString(), "body", body));
    }

    static List<Long> seqs(long from, long to) {
        List<Long> seqs = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            seqs.add(s);
        }
        return seqs;
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
