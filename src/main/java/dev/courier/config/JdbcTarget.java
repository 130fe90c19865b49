package dev.courier.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where an external PostgreSQL lives: a JDBC URL plus the credentials that the URL's userinfo carried.
 * Accepts both {@code postgresql://user[:password]@host:port/db} and {@code jdbc:postgresql://host:port/db?user=...}.
 */
public record JdbcTarget(String jdbcUrl, String user, String password) {

    public JdbcTarget {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    }

    public static JdbcTarget parse(String url) {
        String trimmed = url.trim();
        if (trimmed.startsWith("jdbc:postgresql:")) {
            return new JdbcTarget(trimmed, null, null);
        }
        if (!trimmed.startsWith("postgresql://") && !trimmed.startsWith("postgres://")) {
            throw new IllegalArgumentException(
                    "--db-url must start with postgresql:// or jdbc:postgresql:// (got '" + redact(trimmed) + "')");
        }
        URI uri = URI.create(trimmed);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("--db-url has no host: '" + redact(trimmed) + "'");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return new JdbcTarget("jdbc:postgresql://" + uri.getHost() + ":" + port + "/" + database + query, user, password);
    }

    /** The URL without any password, for log lines and the start-up banner. */
    public String describe() {
        return redact(jdbcUrl) + (user == null ? "" : " as " + user);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(//[^/:@]+):[^@/]*@", "$1:***@");
    }
}
