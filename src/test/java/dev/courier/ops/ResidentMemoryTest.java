package dev.courier.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ResidentMemoryTest {

    @Test
    void theResidentSetIsReadFromTheKernelsStatusLineInBytes() {
        String status = """
                Name:\tjava
                VmPeak:\t 9000000 kB
                VmRSS:\t  428132 kB
                RssAnon:\t  400000 kB
                """;

        assertThat(ResidentMemory.vmRssBytes(status)).isEqualTo(428_132 * 1024.0);
    }

    @Test
    void aPlatformWithoutTheLineOrTheFileTellsNothing() {
        assertThat(ResidentMemory.vmRssBytes("Name:\tjava\n")).isEqualTo(-1);
        assertThat(ResidentMemory.bytes(Path.of("/no/such/status"))).isEqualTo(-1);
    }
}
