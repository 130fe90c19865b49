package dev.courier.ops;

/**
 * How one HTTP request ended, as the alert engine and incident impact see it.
 *
 * @param tokenDigest a digest of the bearer token the request carried, or null: it recognises a user whose
 *                    request failed before authentication could name them (the database was down, say)
 * @param userId      the authenticated user's id, or null
 * @param status      the HTTP status answered
 * @param nanos       time from the first filter to the last
 */
public record RequestOutcome(String tokenDigest, Long userId, int status, long nanos) {

    public boolean failed() {
        return status >= 500;
    }
}
