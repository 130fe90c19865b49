package dev.courier.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of every error answer: {@code {"error": {"code", "message", "field"?, "requestId"?, "traceId"?}}}. An HTTP
 * answer names its request and trace ({@link #traced}), so that a client's bug report leads to the log lines.
 */
public record ErrorBody(Detail error) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(String code, String message, String field, String requestId, String traceId) {

        public Detail(String code, String message, String field) {
            this(code, message, field, null, null);
        }
    }

    public static ErrorBody of(ErrorCode code, String message, String field) {
        return new ErrorBody(new Detail(code.code(), message, field));
    }

    /** This body naming the request and its trace; either may be null. */
    public ErrorBody traced(String requestId, String traceId) {
        return new ErrorBody(new Detail(error.code(), error.message(), error.field(), requestId, traceId));
    }
}
