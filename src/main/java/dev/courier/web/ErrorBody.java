package dev.courier.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The body of every error answer: {@code {"error": {"code", "message", "field"?}}}. */
public record ErrorBody(Detail error) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(String code, String message, String field) {
    }

    public static ErrorBody of(ErrorCode code, String message, String field) {
        return new ErrorBody(new Detail(code.code(), message, field));
    }
}
