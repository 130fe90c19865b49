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
 * for), and each node's replica demand is its saturation over the target, so that the fleet's sum, rounded up, is the
 * recommended replica count.
 */
class ScalingSignalTest {

    @Test
    void saturationFollowsTheOpenStreamsAndDemandIsSaturationOverTarget() {
        try (TestServer server = TestServer.start(cfg -> cfg.withScaling(new ScalingConfig(4, 0.5)))) {
            ApiClient api = server.client();
            assertThat(api.metric("courier_node_saturation_target")).isEqualTo(0.5);
            double idle = api.metric("courier_node_saturation");
            assertThat(idle).isBetween(0.0, 0.5);

            ApiClient.TestUser alice = api.newUser("alice");
            StreamClient first = StreamClient.connect(server.baseUrl(), alice.token());
            StreamClient second = StreamClient.connect(server.baseUrl(), alice.token());
            StreamClient third = StreamClient.connect(server.baseUrl(), alice.token());
            try {
                double saturation = api.metric("courier_node_saturation");
                // three of four streams: the streams' share, 0.75, is the highest on an otherwise idle node
                assertThat(saturation).isCloseTo(0.75, within(0.01));
                assertThat(api.metric("courier_node_replica_demand")).isCloseTo(saturation / 0.5, within(0.05));
            } finally {
                first.close();
                second.close();
                third.close();
            }
        }
    }
}
