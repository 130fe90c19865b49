package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A drill's server warns hundreds of times about one thing; the console shows each thing once. */
class ServerLogDigestTest {

    @Test
    void warningsThatDifferOnlyInTheirFiguresAreOneKind() {
        assertThat(ServerLogDigest.kindOf("reclaimed the connection of fault.leak after 96 ms (outlived its scope)"))
                .isEqualTo(ServerLogDigest.kindOf("reclaimed the connection of fault.leak after 12 ms (outlived)"));
        assertThat(ServerLogDigest.kindOf("connection leak suspected: fault.leak has held a connection for 9 ms"))
                .isEqualTo("connection leak suspected");
    }

    @Test
    void differentAlertsAreDifferentKinds() {
        assertThat(ServerLogDigest.kindOf("ALERT firing CourierLeakSuspected severity=critical"))
                .isNotEqualTo(ServerLogDigest.kindOf("ALERT firing CourierPoolSaturated severity=critical"));
    }
}
