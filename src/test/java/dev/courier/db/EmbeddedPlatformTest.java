package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EmbeddedPlatformTest {

    @Test
    void linuxOnX86WithGlibcAndTheBinariesRunsTheEmbeddedDatabase() {
        assertThat(new EmbeddedPlatform("linux", "amd64", false, true).supported()).isTrue();
    }

    @Test
    void thisBuildCarriesTheBinariesForTheMachineItIsTestedOn() {
        assertThat(EmbeddedPlatform.current().binariesPresent()).isTrue();
    }

    @Test
    void aMacOnArmIsToldToUseAnExternalDatabaseByItsFlag() {
        assertThatThrownBy(() -> new EmbeddedPlatform("mac os x", "aarch64", false, true).requireSupported())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mac os x aarch64")
                .hasMessageContaining(EmbeddedPlatform.SUPPORTED)
                .hasMessageContaining("--db-url");
    }

    @Test
    void alpineIsRefusedBecauseTheBinariesNeedGlibc() {
        assertThatThrownBy(() -> new EmbeddedPlatform("linux", "amd64", true, true).requireSupported())
                .hasMessageContaining("(musl)").hasMessageContaining("--db-url");
    }

    @Test
    void linuxOnArmIsRefused() {
        assertThat(new EmbeddedPlatform("linux", "aarch64", false, false).supported()).isFalse();
    }
}
