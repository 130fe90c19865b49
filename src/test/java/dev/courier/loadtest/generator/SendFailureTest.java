package dev.courier.loadtest.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.client.ApiResponse;
import dev.courier.loadtest.client.StreamFrame;
import org.junit.jupiter.api.Test;

/** Which failed sends are refusals ("not now"), timed apart from timeouts and other errors. */
class SendFailureTest {

    private static ApiResponse answer(int status, String code, long retryAfterMillis) {
        return new ApiResponse(status, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"m\"}}", retryAfterMillis);
    }

    @Test
    void aRestAnswerOf429Or503IsARefusalAndSaysWhetherItGaveRetryAfter() {
        SendFailure overloaded = SendFailure.ofAnswer(answer(503, "overloaded", 1000));
        SendFailure unavailable = SendFailure.ofAnswer(answer(503, "unavailable", 0));
        SendFailure limited = SendFailure.ofAnswer(answer(429, "rate_limited", 2000));

        assertThat(overloaded.getMessage()).isEqualTo("503 overloaded");
        assertThat(overloaded.refusal()).isTrue();
        assertThat(overloaded.retryAfterGiven()).isTrue();
        assertThat(unavailable.refusal()).isTrue();
        assertThat(unavailable.retryAfterGiven()).isFalse();
        assertThat(limited.getMessage()).isEqualTo("429 rate_limited");
        assertThat(limited.refusal()).isTrue();
    }

    @Test
    void otherRestAnswersAreFailuresButNotRefusals() {
        assertThat(SendFailure.ofAnswer(answer(500, "internal_error", 0)).refusal()).isFalse();
        assertThat(SendFailure.ofAnswer(answer(409, "client_msg_id_reused", 0)).refusal()).isFalse();
        assertThat(SendFailure.ofAnswer(new ApiResponse(502, "bad gateway")).refusal()).isFalse();
    }

    @Test
    void aSocketErrorFrameIsARefusalByTheCodesThatTravelWith429And503() {
        SendFailure overloaded = SendFailure.ofErrorFrame(new StreamFrame.Error("c", "overloaded", 1));
        SendFailure limited = SendFailure.ofErrorFrame(new StreamFrame.Error("c", "rate_limited", 0));

        assertThat(overloaded.getMessage()).isEqualTo("stream overloaded");
        assertThat(overloaded.refusal()).isTrue();
        assertThat(overloaded.retryAfterGiven()).isTrue();
        assertThat(limited.refusal()).isTrue();
        assertThat(limited.retryAfterGiven()).isFalse();
        assertThat(SendFailure.ofErrorFrame(new StreamFrame.Error("c", "unavailable", 5)).refusal()).isTrue();
        assertThat(SendFailure.ofErrorFrame(new StreamFrame.Error("c", "forbidden", 0)).refusal()).isFalse();
        assertThat(SendFailure.ofErrorFrame(new StreamFrame.Error("c", "unknown", 0)).refusal()).isFalse();
    }

    @Test
    void timeoutsAndBrokenSocketsAreNotRefusals() {
        assertThat(new SendFailure("timeout").refusal()).isFalse();
        assertThat(new SendFailure("stream closed").refusal()).isFalse();
    }
}
