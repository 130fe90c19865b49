package dev.courier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.ratelimit.Limit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitConfigTest {

    @Test
    void noSpecMeansTheContractsDefaults() {
        RateLimitConfig config = RateLimitConfig.parse(null);
        assertThat(config.rate(Limit.ACCOUNTS)).contains(new Rate(20, Duration.ofHours(1)));
        assertThat(config.rate(Limit.SESSIONS)).contains(new Rate(60, Duration.ofMinutes(1)));
        assertThat(config.rate(Limit.LOGIN_FAILURES)).contains(new Rate(10, Duration.ofMinutes(15)));
        assertThat(config.rate(Limit.MESSAGES)).contains(new Rate(30, Duration.ofSeconds(1)));
        assertThat(config.rate(Limit.WRITES)).contains(new Rate(10, Duration.ofSeconds(1)));
    }

    @Test
    void offTurnsEveryLimitOff() {
        RateLimitConfig config = RateLimitConfig.parse(" OFF ");
        for (Limit limit : Limit.values()) {
            assertThat(config.rate(limit)).isEmpty();
        }
    }

    @Test
    void aListOverridesSomeLimitsAndKeepsTheOthers() {
        RateLimitConfig config = RateLimitConfig.parse("accounts=100/1h, messages=off,writes=5/2s");
        assertThat(config.rate(Limit.ACCOUNTS)).contains(new Rate(100, Duration.ofHours(1)));
        assertThat(config.rate(Limit.MESSAGES)).isEmpty();
        assertThat(config.rate(Limit.WRITES)).contains(new Rate(5, Duration.ofSeconds(2)));
        assertThat(config.rate(Limit.SESSIONS)).contains(Limit.SESSIONS.defaultRate());
        assertThat(config.rate(Limit.WRITES).orElseThrow().tokensPerSecond()).isEqualTo(2.5);
    }

    @Test
    void aBadSpecNamesTheOptionAndThePartAtFault() {
        assertThatThrownBy(() -> RateLimitConfig.parse("mesages=1/1s"))
                .hasMessageContaining("--rate-limits").hasMessageContaining("mesages").hasMessageContaining("messages");
        assertThatThrownBy(() -> RateLimitConfig.parse("messages=30"))
                .hasMessageContaining("--rate-limits").hasMessageContaining("messages=30");
        assertThatThrownBy(() -> RateLimitConfig.parse("messages=0/1s")).hasMessageContaining("1 to 1000000");
        assertThatThrownBy(() -> RateLimitConfig.parse("messages=5/1y")).hasMessageContaining("duration");
        assertThatThrownBy(() -> RateLimitConfig.parse("messages")).hasMessageContaining("name=N/period");
    }

    @Test
    void trustedProxiesAndCorsOriginsAreValidatedAtStart() {
        assertThat(SecurityConfig.parseTrustedProxies("10.0.0.0/8, ::1")).hasSize(2);
        assertThatThrownBy(() -> SecurityConfig.parseTrustedProxies("proxy.example.com"))
                .hasMessageContaining("--trusted-proxies");
        assertThatThrownBy(() -> SecurityConfig.parseTrustedProxies("10.0.0.0/33"))
                .hasMessageContaining("0-32");
        assertThat(SecurityConfig.parseCorsOrigins("https://Chat.Example.com, http://localhost:3000"))
                .containsExactly("https://chat.example.com", "http://localhost:3000");
        assertThatThrownBy(() -> SecurityConfig.parseCorsOrigins("*")).hasMessageContaining("--cors-origins");
        assertThatThrownBy(() -> SecurityConfig.parseCorsOrigins("https://a.example/path"))
                .hasMessageContaining("--cors-origins");
        assertThat(SecurityConfig.parseCorsOrigins(null)).isEmpty();
    }
}
