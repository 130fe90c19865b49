package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.ApiResponse;
import dev.courier.loadtest.client.StreamFrame;
import dev.courier.loadtest.measure.RefusalTracker;

/**
 * A send that was not acknowledged; the message is how it is counted ({@code "503 overloaded"}, {@code "timeout"},
 * ...). A {@link #refusal()} is the server saying "not now": it is counted with the other failures and timed apart
 * ({@link RefusalTracker}). No stack trace: under overload thousands are made a second, by design.
 */
final class SendFailure extends Exception {

    private final boolean refusal;
    private final boolean retryAfterGiven;

    /** A failure that is not a refusal: a timeout, a broken socket, any other error. */
    SendFailure(String kind) {
        this(kind, false, false);
    }

    private SendFailure(String kind, boolean refusal, boolean retryAfterGiven) {
        super(kind, null, false, false);
        this.refusal = refusal;
        this.retryAfterGiven = retryAfterGiven;
    }

    /** A REST answer other than {@code 200}/{@code 201}. */
    static SendFailure ofAnswer(ApiResponse r) {
        return new SendFailure(r.errorKind(), RefusalTracker.isRefusal(r.status()), r.retryAfterMillis() > 0);
    }

    /** A socket's {@code error} frame for one send. */
    static SendFailure ofErrorFrame(StreamFrame.Error e) {
        return new SendFailure("stream " + e.code(), RefusalTracker.isRefusal(e.code()), e.retryAfterSeconds() > 0);
    }

    boolean refusal() {
        return refusal;
    }

    /** For a refusal: whether it said when to come back ({@code Retry-After}, or the error frame's retryAfter). */
    boolean retryAfterGiven() {
        return retryAfterGiven;
    }
}
