package dev.courier.ops.incidents;

/**
 * What an incident cost, measured from the requests answered while it was open.
 *
 * @param requests           requests answered while open
 * @param failedRequests     of which answered with a 5xx status
 * @param activeUsers        distinct users who sent at least one request while open
 * @param affectedUsers      of whom saw at least one 5xx
 * @param affectedUserShare  affectedUsers / activeUsers, 0 when nobody was active
 */
public record Impact(long durationSeconds, long requests, long failedRequests, int activeUsers, int affectedUsers,
                     double affectedUserShare) {

    public static Impact of(long durationSeconds, long requests, long failed, int active, int affected) {
        return new Impact(durationSeconds, requests, failed, active, affected,
                active == 0 ? 0 : (double) affected / active);
    }
}
