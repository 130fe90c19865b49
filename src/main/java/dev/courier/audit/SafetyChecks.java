package dev.courier.audit;

import dev.courier.nodes.Node;
import java.util.List;
import java.util.stream.Collectors;

/** How each node defends itself: its admin token, fault injection, rate limits, CORS and proxies. */
final class SafetyChecks {

    /** 128 bits as hex ({@code openssl rand -hex 16}). */
    static final int MIN_ADMIN_TOKEN_LENGTH = 32;

    private SafetyChecks() {
    }

    static CheckResult adminToken(AuditContext c) {
        List<Node> alive = c.alive();
        List<String> none = alive.stream().filter(n -> n.settings().adminTokenLength() == 0).map(Node::address).toList();
        List<String> shortOnes = alive.stream().filter(n -> n.settings().adminTokenLength() > 0
                        && n.settings().adminTokenLength() < MIN_ADMIN_TOKEN_LENGTH)
                .map(n -> n.address() + " (" + n.settings().adminTokenLength() + " characters)").toList();
        if (!shortOnes.isEmpty()) {
            return CheckResult.fail("safety.admin-token", "admin token shorter than " + MIN_ADMIN_TOKEN_LENGTH
                            + " characters on " + String.join(", ", shortOnes),
                    "set COURIER_ADMIN_TOKEN to a long random value (openssl rand -hex 32) on every node: the token "
                            + "opens the admin API" + (alive.stream().anyMatch(n -> n.settings().faultInjection())
                            ? ", and with it fault injection" : ""));
        }
        if (!none.isEmpty()) {
            return CheckResult.warn("safety.admin-token", "no admin token on " + String.join(", ", none)
                            + ": their admin API, /ops console and incident records are off",
                    "set COURIER_ADMIN_TOKEN (openssl rand -hex 32)");
        }
        return CheckResult.pass("safety.admin-token", alive.isEmpty() ? "no live node"
                : "set on every live node, at least " + alive.stream().mapToInt(n -> n.settings().adminTokenLength())
                .min().orElse(0) + " characters");
    }

    static CheckResult faultInjection(AuditContext c) {
        List<String> on = c.alive().stream().filter(n -> n.settings().faultInjection()).map(Node::address).toList();
        if (!on.isEmpty()) {
            return CheckResult.warn("safety.fault-injection", "fault injection on for " + String.join(", ", on)
                            + ": whoever holds the admin token can leak connections, slow every query or stop the database",
                    "restart those nodes without --enable-fault-injection (COURIER_FAULT_INJECTION) unless a drill "
                            + "is under way");
        }
        return CheckResult.pass("safety.fault-injection", "off on every live node");
    }

    static CheckResult rateLimits(AuditContext c) {
        List<String> off = c.alive().stream().filter(n -> n.settings().rateLimits().isEmpty()).map(Node::address)
                .toList();
        if (!off.isEmpty()) {
            return CheckResult.fail("safety.rate-limits", "every rate limit off on " + String.join(", ", off)
                            + ": password guessing, account creation and message floods are unthrottled",
                    "remove --rate-limits off (COURIER_RATE_LIMITS) from those nodes");
        }
        List<String> partial = c.alive().stream().filter(n -> n.settings().rateLimits().size() < 5)
                .map(n -> n.address() + " (" + String.join(", ", n.settings().rateLimits().keySet()) + " on)")
                .toList();
        if (!partial.isEmpty()) {
            return CheckResult.warn("safety.rate-limits", "some rate limits off on " + String.join(", ", partial),
                    "turn them back on unless something else throttles those requests");
        }
        return CheckResult.pass("safety.rate-limits", c.alive().isEmpty() ? "no live node"
                : "on for every live node (" + String.join(", ", c.alive().getFirst().settings().rateLimits().entrySet()
                .stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList()) + " on the first)");
    }

    static CheckResult cors(AuditContext c) {
        List<String> open = c.alive().stream().filter(n -> n.settings().corsOrigins().contains("*"))
                .map(Node::address).toList();
        if (!open.isEmpty()) {
            return CheckResult.fail("safety.cors", "CORS open to every origin on " + String.join(", ", open),
                    "list each browser origin in --cors-origins");
        }
        String origins = c.alive().stream().flatMap(n -> n.settings().corsOrigins().stream()).distinct()
                .collect(Collectors.joining(", "));
        return CheckResult.pass("safety.cors", origins.isEmpty() ? "closed: no cross-site origin allowed"
                : "allowed only for " + origins);
    }

    /**
     * Heuristic: a node that has seen {@code X-Forwarded-For} from a peer it does not trust most likely sits behind a
     * load balancer that is not in {@code --trusted-proxies} (a client can send the header itself, hence WARN).
     */
    static CheckResult trustedProxies(AuditContext c) {
        List<String> behind = c.alive().stream().filter(n -> n.settings().forwardedForSeen()).map(n -> n.address()
                + (n.settings().trustedProxies() == 0 ? " (none trusted)" : " (" + n.settings().trustedProxies()
                + " trusted, but not that peer)")).toList();
        if (!behind.isEmpty()) {
            return CheckResult.warn("safety.trusted-proxies", "requests with X-Forwarded-For arrived from a peer that "
                            + "is not a trusted proxy on " + String.join(", ", behind),
                    "if the nodes sit behind a load balancer, name it in --trusted-proxies: otherwise every client has "
                            + "the balancer's address, and one client's failed logins throttle everyone's");
        }
        long withProxies = c.alive().stream().filter(n -> n.settings().trustedProxies() > 0).count();
        return CheckResult.pass("safety.trusted-proxies", "no untrusted X-Forwarded-For seen" + (withProxies == 0 ? ""
                : "; " + withProxies + " nodes trust proxies"));
    }
}
