package dev.courier.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Secrets named in a log line are taken out; Courier's own sentences that merely name them are left to be read. */
class RedactionTest {

    @Test
    void valuesOfNamedSecretsFlagsAndBearerTokensAreTakenOut() {
        String line = Redaction.redact("GET /v1/stream?access_token=s3cr3tT0k Authorization: Bearer b3ar3rT0k "
                + "{\"password\":\"hunter2hunter2\"} --admin-token adm1nToken newPassword correcthorse "
                + "secret: abc");

        assertThat(line).doesNotContain("s3cr3tT0k", "b3ar3rT0k", "hunter2hunter2", "adm1nToken", "correcthorse",
                "abc").contains("access_token=[REDACTED]", "--admin-token [REDACTED]");
    }

    @Test
    void aWordAfterANameAndASpaceIsRedactedWhenItLooksLikeASecret() {
        assertThat(Redaction.redact("login failed: password hunter2"))
                .isEqualTo("login failed: password [REDACTED]");
        assertThat(Redaction.redact("invalid token eyJhbGciOiJIUzI1NiJ9abc"))
                .isEqualTo("invalid token [REDACTED]");
    }

    @Test
    void courierSentencesThatNameASecretAreLeftAsWritten() {
        String audit = "every rate limit off on 127.0.0.1:8080: password guessing, account creation and message "
                + "floods are unthrottled";
        assertThat(Redaction.redact(audit)).isEqualTo(audit);
        assertThat(Redaction.redact("the session token expired")).isEqualTo("the session token expired");
    }
}
