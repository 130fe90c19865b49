package dev.courier.loadtest.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTextTest {

    private static final MetricsText METRICS = MetricsText.parse("""
            # HELP jvm_memory_used_bytes The amount of used memory
            # TYPE jvm_memory_used_bytes gauge
            jvm_memory_used_bytes{area="heap",id="ZHeap"} 2.5E8
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.0E7
            jvm_memory_used_bytes{area="heap",id="Other"} 5.0E7
            process_files_open_files 212.0
            hikaricp_connections_active{pool="courier"} NaN
            """);

    @Test
    void samplesOfANameAreSummedOverThoseWhoseLabelsMatch() {
        assertThat(METRICS.sum("jvm_memory_used_bytes", "area=\"heap\"")).isEqualTo(3.0E8);
        assertThat(METRICS.sum("jvm_memory_used_bytes")).isEqualTo(3.9E8);
        assertThat(METRICS.sum("process_files_open_files")).isEqualTo(212);
    }

    @Test
    void aNameWithoutSamplesOrWithOnlyNaNIsMinusOne() {
        assertThat(METRICS.sum("jvm_threads_live_threads")).isEqualTo(-1);
        assertThat(METRICS.sum("hikaricp_connections_active")).isEqualTo(-1);
    }

    @Test
    void thePathAsksForTheNamedFamiliesOnly() {
        assertThat(MetricsText.path(List.of("b_total", "a_bytes")))
                .isEqualTo("/metrics?name%5B%5D=a_bytes&name%5B%5D=b_total");
    }
}
