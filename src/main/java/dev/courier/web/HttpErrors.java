package dev.courier.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

/** Registers the exception handlers that render every failure as the contract's error body. */
public final class HttpErrors {

    /** Context attribute holding the contract error code of a failed request, for metrics. */
    public static final String ERROR_CODE = "courier.errorCode";
    /** Context attribute holding the failure itself, for metrics that sort database errors by kind. */
    public static final String FAILURE = "courier.failure";

    private HttpErrors() {
    }

    public static void register(RoutesConfig routes) {
        routes.exception(HttpResponseException.class, (e, ctx) -> render(ctx, translate(e)));
        routes.exception(Exception.class, (e, ctx) -> render(ctx, e));
    }

    public static void render(Context ctx, Throwable failure) {
        ErrorResponses.Answer answer = ErrorResponses.answer(failure, RequestIds.of(ctx));
        ctx.attribute(ERROR_CODE, answer.body().error().code());
        ctx.attribute(FAILURE, failure);
        if (answer.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", String.valueOf(answer.retryAfterSeconds()));
        }
        TraceContext trace = TraceContext.of(ctx);
        String requestId = RequestIds.of(ctx);
        ctx.status(answer.status()).json(answer.body().traced(requestId.equals("-") ? null : requestId,
                trace == null ? null : trace.traceId()));
    }

    /** Javalin's own answers (no such route, wrong method, body too large) in the contract's words. */
    private static Throwable translate(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 404 -> ApiException.notFound("no such resource");
            case 405 -> ApiException.notFound("no such resource");
            case 413 -> ApiException.of(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than 65536 bytes");
            case 400 -> ApiException.malformed("the request could not be read");
            default -> e.getStatus() >= 500 ? e : ApiException.of(ErrorCode.VALIDATION_FAILED, "bad request");
        };
    }
}
