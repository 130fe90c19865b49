package dev.courier.web;

import dev.courier.db.DatabaseBusyException;
import dev.courier.db.DatabaseUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns any failure into the contract's error: a status, a body and, for 429 and 503, a
 * {@code Retry-After}. HTTP answers and WebSocket error frames both come from here.
 */
public final class ErrorResponses {

    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    /** The answer to one failure. {@code retryAfterSeconds} is 0 when no header is due. */
    public record Answer(int status, ErrorBody body, int retryAfterSeconds) {
    }

    private ErrorResponses() {
    }

    public static Answer answer(Throwable failure, String requestId) {
        if (failure instanceof ApiException api) {
            int retry = api.retryAfterSeconds() > 0 ? api.retryAfterSeconds()
                    : needsRetryAfter(api.code()) ? 1 : 0;
            return new Answer(api.code().status(), ErrorBody.of(api.code(), api.getMessage(), api.field()), retry);
        }
        if (failure instanceof DatabaseBusyException) {
            return new Answer(503, ErrorBody.of(ErrorCode.OVERLOADED,
                    "the server is busy; try again shortly", null), 1);
        }
        if (failure instanceof DatabaseUnavailableException) {
            return new Answer(503, ErrorBody.of(ErrorCode.UNAVAILABLE,
                    "the database cannot be reached; try again shortly", null), 5);
        }
        log.error("internal error in request {}", requestId, failure);
        return new Answer(500, ErrorBody.of(ErrorCode.INTERNAL_ERROR,
                "internal error; request id " + requestId, null), 0);
    }

    private static boolean needsRetryAfter(ErrorCode code) {
        return code == ErrorCode.RATE_LIMITED || code == ErrorCode.OVERLOADED || code == ErrorCode.UNAVAILABLE;
    }
}
