package dev.courier.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient.Response;

/** Checks that an answer is exactly the contract's error: status, code, message, and field only where one is due. */
public final class ApiAssertions {

    private ApiAssertions() {
    }

    /** {@code field} null means the error must name no field. */
    public static void assertError(Response r, int status, String code, String field) {
        assertThat(r.status()).as("status of %s", r).isEqualTo(status);
        assertThat(r.header("Content-Type")).as("content type of %s", r).startsWith("application/json");
        assertThat(r.errorCode()).as("code of %s", r).isEqualTo(code);
        JsonNode error = r.json().path("error");
        assertThat(error.path("message").asText()).as("message of %s", r).isNotBlank();
        if (field == null) {
            assertThat(error.has("field")).as("no field in %s", r).isFalse();
        } else {
            assertThat(error.path("field").asText()).as("field of %s", r).isEqualTo(field);
        }
        if (status == 429 || status == 503) {
            assertThat(r.header("Retry-After")).as("Retry-After of %s", r).matches("[1-9][0-9]*");
        }
    }
}
