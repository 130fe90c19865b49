package dev.courier.loadtest.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.report.PoolSample;
import org.junit.jupiter.api.Test;

class PoolSamplerTest {

    @Test
    void readsHikarisGaugesOutOfThePrometheusText() {
        String exposition = """
                # HELP hikaricp_connections_active Active connections
                # TYPE hikaricp_connections_active gauge
                hikaricp_connections_active{pool="courier"} 3.0
                hikaricp_connections_idle{pool="courier"} 2.0
                hikaricp_connections_pending{pool="courier"} 0.0
                hikaricp_connections_max{pool="courier"} 5.0
                hikaricp_connections_acquire_seconds_count{pool="courier"} 41.0
                jvm_threads_live_threads 30.0
                """;

        assertThat(PoolSampler.parse(exposition)).isEqualTo(new PoolSample(3, 2, 0, 5));
    }

    @Test
    void aMissingGaugeIsMinusOne() {
        assertThat(PoolSampler.parse("jvm_threads_live_threads 30.0\n")).isEqualTo(new PoolSample(-1, -1, -1, -1));
    }
}
