package dev.courier.web;

/**
 * A failure the contract names. Thrown anywhere below the transport; {@link ErrorResponses} turns it into the
 * HTTP answer or the socket's error frame. Expected and frequent, so it carries no stack trace.
 *
 * @see ErrorCode
 */
public final class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final String field;
    private final int retryAfterSeconds;

    public ApiException(ErrorCode code, String message, String field, int retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException invalid(String field, String message) {
        return new ApiException(ErrorCode.VALIDATION_FAILED, message, field, 0);
    }

    public static ApiException malformed(String message) {
        return new ApiException(ErrorCode.MALFORMED_JSON, message, null, 0);
    }

    public static ApiException malformed(String field, String message) {
        return new ApiException(ErrorCode.MALFORMED_JSON, message, field, 0);
    }

    public static ApiException notFound(String message) {
        return new ApiException(ErrorCode.NOT_FOUND, message, null, 0);
    }

    public static ApiException of(ErrorCode code, String message) {
        return new ApiException(code, message, null, 0);
    }

    public ErrorCode code() {
        return code;
    }

    /** The input field at fault, or null. */
    public String field() {
        return field;
    }

    /** Seconds for the {@code Retry-After} header, or 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
