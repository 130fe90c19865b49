package dev.courier.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where an external PostgreSQL lives: a JDBC URL plus the credentials that the URL's userinfo carried.
 * Accepts both {@code postgresql://user[:password]@host:port/db} and {@code jdbc:postgresql://host:port/db?user=...},
 * and several hosts in either ({@code postgresql://user@host1:5432,host2:5432/db?target_session_attrs=read-write}):
 * the driver connects to the first that answers and is what the URL asks for, a primary after a failover.
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
        // Not java.net.URI: it takes "host1:5432,host2:5432" (libpq's multi-host form, for a primary and its
        // standbys) for a registry name and gives no host at all.
        String rest = trimmed.substring(trimmed.indexOf("://") + 3);
        int authorityEnd = indexOfAny(rest, '/', '?');
        String authority = authorityEnd < 0 ? rest : rest.substring(0, authorityEnd);
        String afterAuthority = authorityEnd < 0 ? "" : rest.substring(authorityEnd);
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? null : authority.substring(0, at);
        String hostList = authority.substring(at + 1);
        String user = null;
        String password = null;
        if (userInfo != null) {
            String[] parts = userInfo.split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        StringBuilder hosts = new StringBuilder();
        for (String host : hostList.split(",", -1)) {
            if (hosts.length() > 0) {
                hosts.append(',');
            }
            hosts.append(hostAndPort(host, trimmed));
        }
        int queryStart = afterAuthority.indexOf('?');
        String path = queryStart < 0 ? afterAuthority : afterAuthority.substring(0, queryStart);
        String database = path.length() <= 1 ? "postgres" : path.substring(1);
        String query = queryStart < 0 ? "" : jdbcQuery(afterAuthority.substring(queryStart + 1));
        return new JdbcTarget("jdbc:postgresql://" + hosts + "/" + database + query, user, password);
    }

    /** {@code host[:port]} with the port made explicit (5432 when none); IPv6 literals stay in brackets. */
    private static String hostAndPort(String host, String url) {
        int portColon = host.startsWith("[") ? host.indexOf(':', host.indexOf(']')) : host.lastIndexOf(':');
        String name = portColon < 0 ? host : host.substring(0, portColon);
        String port = portColon < 0 || portColon == host.length() - 1 ? "5432" : host.substring(portColon + 1);
        if (name.isEmpty() || name.equals("[]")) {
            throw new IllegalArgumentException("--db-url has no host: '" + redact(url) + "'");
        }
        if (!port.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("--db-url has a port that is not a number: '" + redact(url) + "'");
        }
        return name + ":" + port;
    }

    /**
     * The query for pgjdbc. libpq's {@code target_session_attrs} (what psql takes in the same URL) becomes pgjdbc's
     * {@code targetServerType}, so that one URL sends both to the primary; pgjdbc would ignore it silently.
     */
    private static String jdbcQuery(String query) {
        if (query.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String pair : query.split("&")) {
            String converted = pair;
            if (pair.startsWith("target_session_attrs=")) {
                String value = pair.substring("target_session_attrs=".length());
                converted = switch (value) {
                    case "read-write", "primary" -> "targetServerType=primary";
                    case "read-only", "standby" -> "targetServerType=secondary";
                    case "prefer-standby" -> "targetServerType=preferSecondary";
                    case "any" -> "targetServerType=any";
                    default -> throw new IllegalArgumentException(
                            "--db-url: target_session_attrs=" + value + " is not one of read-write, primary, "
                                    + "read-only, standby, prefer-standby, any");
                };
            }
            out.append(out.length() == 0 ? '?' : '&').append(converted);
        }
        return out.toString();
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
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
