package dev.courier.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a node defends itself from hostile clients.
 *
 * @param rateLimits     the token buckets of the contract's "Rate limits"
 * @param trustedProxies peers whose {@code X-Forwarded-For} names the client; everyone else is the client
 * @param corsOrigins    browser origins allowed to call the API from another site; empty means none
 * @param stream         limits of the WebSocket stream
 */
public record SecurityConfig(RateLimitConfig rateLimits, List<Cidr> trustedProxies, List<String> corsOrigins,
                             StreamLimits stream) {

    public SecurityConfig {
        trustedProxies = List.copyOf(trustedProxies);
        corsOrigins = List.copyOf(corsOrigins);
    }

    /** What {@code serve} runs with when no option says otherwise. */
    public static SecurityConfig defaults() {
        return new SecurityConfig(RateLimitConfig.defaults(), List.of(), List.of(), StreamLimits.defaults());
    }

    /** No rate limits: for embedding Courier in tests that create many users from one address. */
    public static SecurityConfig withoutRateLimits() {
        return new SecurityConfig(RateLimitConfig.off(), List.of(), List.of(), StreamLimits.defaults());
    }

    public SecurityConfig withRateLimits(RateLimitConfig limits) {
        return new SecurityConfig(limits, trustedProxies, corsOrigins, stream);
    }

    public SecurityConfig withTrustedProxies(List<Cidr> proxies) {
        return new SecurityConfig(rateLimits, proxies, corsOrigins, stream);
    }

    public SecurityConfig withCorsOrigins(List<String> origins) {
        return new SecurityConfig(rateLimits, trustedProxies, origins, stream);
    }

    /** Parses {@code --trusted-proxies}: comma-separated addresses or CIDR blocks. */
    public static List<Cidr> parseTrustedProxies(String text) {
        List<Cidr> blocks = new ArrayList<>();
        if (text != null) {
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    blocks.add(Cidr.parse(part));
                }
            }
        }
        return blocks;
    }

    /** Parses {@code --cors-origins}: comma-separated origins such as {@code https://chat.example.com}. */
    public static List<String> parseCorsOrigins(String text) {
        List<String> origins = new ArrayList<>();
        if (text == null) {
            return origins;
        }
        for (String part : text.split(",")) {
            String origin = part.trim();
            if (origin.isEmpty()) {
                continue;
            }
            if (origin.equals("*")) {
                throw new IllegalArgumentException("--cors-origins: '*' is not allowed; list each origin");
            }
            URI uri;
            try {
                uri = URI.create(origin);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--cors-origins: '" + origin + "' is not an origin");
            }
            boolean web = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            boolean bare = uri.getHost() != null && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                    && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
            if (!web || !bare) {
                throw new IllegalArgumentException("--cors-origins: '" + origin
                        + "' must be scheme://host[:port] with scheme http or https and nothing after");
            }
            origins.add(origin.toLowerCase(Locale.ROOT));
        }
        return origins;
    }
}
