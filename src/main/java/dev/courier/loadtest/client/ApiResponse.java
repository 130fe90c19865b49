package dev.courier.loadtest.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.courier.web.Json;
import java.io.IOException;

/** One HTTP answer, with its body parsed as JSON where it is JSON. */
public record ApiResponse(int status, String body, long retryAfterMillis) {

    public ApiResponse(int status, String body) {
        this(status, body, 0);
    }

    public JsonNode json() {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    boolean ok() {
        return status >= 200 && status < 300;
    }

    /** How an error is counted: the status and the contract's code, e.g. {@code "503 unavailable"}. */
    public String errorKind() {
        String code = json().path("error").path("code").asText("");
        return code.isEmpty() ? String.valueOf(status) : status + " " + code;
    }
}
