package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Concurrently;
import dev.courier.testing.SharedServer;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many streams connecting at once, as when a node restarts or a balancer fails over and every client reconnects: on a
 * small pool with the production acquisition deadline, each one becomes ready, none is refused for want of a
 * connection, and what each stream needs from the database on the way in is read a batch at a time.
 */
class ConnectionStormTest {

    private static final int USERS = 100;
    private static final int SESSIONS_PER_USER = 5;
    private static final int STREAMS = USERS * SESSIONS_PER_USER;
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Four connections: two for the message writers, two for everything else; acquisition deadline 250 ms. */
    @RegisterExtension
    static final TestServerExtension sharedServer =
            TestServerExtension.configuredBy(cfg -> cfg.withPool(cfg.pool().withMaxSize(4)));
    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    @Test
    void aBurstOfStreamsWithTokensTheNodeHasNotSeenAllBecomeReadyAndNoneIsRefused() throws Exception {
        List<TestUser> users = api.newUsers("storm", USERS);
        for (int i = 0; i < USERS; i++) {
            api.direct(users.get(i), users.get((i + 1) % USERS));
        }
        // a device per session: tokens the session cache has not seen (a login caches nothing)
        List<TestUser> devices = new ArrayList<>();
        for (TestUser user : users) {
            for (int d = 0; d < SESSIONS_PER_USER; d++) {
                devices.add(api.login(user.username()));
            }
        }
        double lookupsBefore = api.metric("courier_db_lookup_batch_size_count", "lookup=\"sessions\"");

        Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
        StreamClient[] byDevice = new StreamClient[STREAMS];
        try {
            List<String> firstFrames = Concurrently.run(STREAMS, i -> {
                StreamClient client;
                try {
                    client = StreamClient.open(server.baseUrl(), devices.get(i).token(), false);
                } catch (CompletionException refused) {
                    refusals.computeIfAbsent(String.valueOf(refused.getCause()), k -> new LongAdder()).increment();
                    return "refused";
                }
                byDevice[i] = client;
                return client.next(WAIT).path("type").asText();
            });

            Map<String, Long> refusedBy = new TreeMap<>();
            refusals.forEach((why, n) -> refusedBy.put(why, n.sum()));
            assertThat(refusedBy).as("upgrades refused, by answer").isEmpty();
            assertThat(firstFrames).hasSize(STREAMS).allMatch("ready"::equals);

            // A few statements for the lot, not one per stream (token checks in flight share one statement).
            double lookups = api.metric("courier_db_lookup_batch_size_count", "lookup=\"sessions\"") - lookupsBefore;
            assertThat(lookups).as("statements that checked the %d tokens", STREAMS).isLessThan(STREAMS);

            // the streams opened in the storm carry messages like any other: every device of both members gets it
            TestUser alice = users.get(0);
            long withBob = api.direct(alice, users.get(1));
            api.sendMessage(alice, withBob, "after the storm");
            for (int i = 0; i < 2 * SESSIONS_PER_USER; i++) {
                JsonNode message = byDevice[i].nextOfType("message", WAIT).path("message");
                assertThat(message.path("body").asText()).isEqualTo("after the storm");
            }
        } finally {
            for (StreamClient client : byDevice) {
                if (client != null) {
                    client.close();
                }
            }
        }
    }
}
