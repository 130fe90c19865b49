package dev.courier.nodes;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a node tells the deployment about itself at every heartbeat: the settings an audit judges. Secrets never
 * appear: the admin token only by its length, webhooks without credentials, query or secret path. Stored as JSON in
 * {@code nodes.settings}; fields a newer node adds are ignored by an older one.
 *
 * @param poolSize              connections in the node's pool (all opened at start and kept)
 * @param busListeners          connections the node holds outside its pool for the bus (1 for LISTEN/NOTIFY, 0 for
 *                              NATS)
 * @param bus                   {@code postgres} or the NATS server, without credentials
 * @param admissionLimit        operations from outside admitted at once right now (adaptive)
 * @param faultInjection        whether {@code /v1/admin/faults} exists
 * @param rateLimits            each rate limit that is on, {@code name -> tokens/period}; empty when all are off
 * @param alertWebhooks         the alert receivers, each as {@code scheme://host:port} plus the path when it is an
 *                              Alertmanager API path
 * @param trustedProxies        how many addresses or blocks {@code --trusted-proxies} names
 * @param corsOrigins           the browser origins allowed cross-site
 * @param adminTokenLength      characters in the admin token; 0 when the admin API is off
 * @param configuredTimeouts    the session timeouts the node asks for, {@code setting -> value} as PostgreSQL shows it
 * @param sessionSettings       the same settings and {@code synchronous_commit} as read on one of the node's pooled
 *                              sessions at this heartbeat: what is in force, whatever sits in between
 * @param connectedPort         the port in the node's database URL
 * @param serverPort            the port PostgreSQL says the session arrived on ({@code inet_server_port()}); another
 *                              value than {@code connectedPort} means a pooler or proxy in the path; null over a socket
 * @param forwardedForSeen      whether a request carried {@code X-Forwarded-For} from a peer that is not a trusted
 *                              proxy: the node sits behind a proxy it does not trust
 * @param alertsEvaluatedAt     the alert engine's last evaluation, by the node's clock; null before the first
 * @param clockUncertaintyMillis how far the node's measure of its clock skew may be off: half the round trip of the
 *                              query that read PostgreSQL's clock
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeSettings(
        int poolSize,
        int busListeners,
        String bus,
        int admissionLimit,
        boolean faultInjection,
        Map<String, String> rateLimits,
        List<String> alertWebhooks,
        int trustedProxies,
        List<String> corsOrigins,
        int adminTokenLength,
        Map<String, String> configuredTimeouts,
        Map<String, String> sessionSettings,
        Integer connectedPort,
        Integer serverPort,
        boolean forwardedForSeen,
        Instant alertsEvaluatedAt,
        long clockUncertaintyMillis) {

    public NodeSettings {
        rateLimits = rateLimits == null ? Map.of() : Map.copyOf(rateLimits);
        alertWebhooks = alertWebhooks == null ? List.of() : List.copyOf(alertWebhooks);
        corsOrigins = corsOrigins == null ? List.of() : List.copyOf(corsOrigins);
        configuredTimeouts = configuredTimeouts == null ? Map.of() : Map.copyOf(configuredTimeouts);
        sessionSettings = sessionSettings == null ? Map.of() : Map.copyOf(sessionSettings);
    }

    NodeSettings withSession(Map<String, String> inForce, Integer port) {
        return new NodeSettings(poolSize, busListeners, bus, admissionLimit, faultInjection, rateLimits, alertWebhooks,
                trustedProxies, corsOrigins, adminTokenLength, configuredTimeouts, inForce, connectedPort, port,
                forwardedForSeen, alertsEvaluatedAt, clockUncertaintyMillis);
    }

    NodeSettings withClockUncertainty(long millis) {
        return new NodeSettings(poolSize, busListeners, bus, admissionLimit, faultInjection, rateLimits, alertWebhooks,
                trustedProxies, corsOrigins, adminTokenLength, configuredTimeouts, sessionSettings, connectedPort,
                serverPort, forwardedForSeen, alertsEvaluatedAt, millis);
    }
}
