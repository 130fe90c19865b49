package dev.courier.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.courier.config.ScalingConfig;
import dev.courier.testing.ApiClient;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * The saturation gauge is the highest of its shares, here the streams' (open streams over the capacity a node is sized
 * for) unless the test's own process keeps its cores busier, and each node's replica demand is its saturation over the target, so that the fleet's sum, rounded up, is the
 * recommended replica count.
 */
class ScalingSignalTest {

    @Test
    void saturationFollowsTheOpenStreamsAndDemandIsSaturationOverTarget() {
        try (TestServer server = TestServer.start(cfg -> cfg.withScaling(new ScalingConfig(4, 0.5)))) {
            ApiClient api = server.client();
            assertThat(api.metric("courier_node_saturation_target")).isEqualTo(0.5);
            // no streams and no other requests: the other shares stay low, and the CPU share, which the first
            // reading of a JVM that has just started (tests and server in one process) may put high, is read from the
            // same scrape
            String idleScrape = api.get("/metrics", null).body();
            double idleCpu = value(idleScrape, "courier_node_cpu_share");
            assertThat(value(idleScrape, "courier_node_saturation"))
                    .isBetween(idleCpu - 0.01, Math.max(idleCpu, 0.5) + 0.01);

            ApiClient.TestUser alice = api.newUser("alice");
            StreamClient first = StreamClient.connect(server.baseUrl(), alice.token());
            StreamClient second = StreamClient.connect(server.baseUrl(), alice.token());
            StreamClient third = StreamClient.connect(server.baseUrl(), alice.token());
            try {
                String scrape = api.get("/metrics", null).body();
                double saturation = value(scrape, "courier_node_saturation");
                double cpu = value(scrape, "courier_node_cpu_share");
                assertThat(cpu).isBetween(0.0, 1.0);
                // three of four streams: the streams' share, 0.75, unless this JVM (tests and server) used more of
                // its cores since the previous reading; the scrape read both from the same reading
                assertThat(saturation).isCloseTo(Math.max(0.75, cpu), within(0.01));
                assertThat(api.metric("courier_node_replica_demand")).isCloseTo(saturation / 0.5, within(0.05));
            } finally {
                first.close();
                second.close();
                third.close();
            }
        }
    }

    private static double value(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
