package dev.courier.audit;

import java.time.Instant;
import java.util.Map;

/**
 * One request to the admin API that could change something, as the audit log keeps it.
 *
 * @param actor  the admin token's id ({@code web.AdminAuthentication#idOf}), never the token
 * @param action the route as declared, e.g. {@code POST /v1/admin/users/{id}/deactivate}
 * @param target the route's path parameters, e.g. {@code {"id": "42"}}
 * @param status the status the request was answered with
 */
public record AdminAction(long id, Instant at, String actor, String action, Map<String, String> target, int status) {
}
