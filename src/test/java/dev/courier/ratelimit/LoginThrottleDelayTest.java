package dev.courier.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoginThrottleDelayTest {

    @Test
    void failuresCostNothingUntilHalfTheBucketIsSpentThenMoreAndMoreUpToTwoSeconds() {
        assertThat(LoginThrottle.delayMillis(9, 10)).isZero();
        assertThat(LoginThrottle.delayMillis(5, 10)).isZero();
        assertThat(LoginThrottle.delayMillis(4, 10)).isEqualTo(250);
        assertThat(LoginThrottle.delayMillis(2, 10)).isEqualTo(750);
        assertThat(LoginThrottle.delayMillis(0, 10)).isEqualTo(1_250);
        assertThat(LoginThrottle.delayMillis(0, 1_000)).isEqualTo(2_000);
    }

    @Test
    void bucketKeysNeverCarryNulOrUnboundedText() {
        assertThat(RateLimiter.bucketKey("user:alice")).isEqualTo("user:alice");
        assertThat(RateLimiter.bucketKey("user:a\u0000b")).startsWith("sha256:").hasSize(71);
        assertThat(RateLimiter.bucketKey("user:" + "x".repeat(10_000))).startsWith("sha256:").hasSize(71);
        assertThat(RateLimiter.bucketKey("user:\uD83D\uDE00")).startsWith("sha256:");
    }
}
