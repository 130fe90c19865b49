package dev.courier.db;

/** A PostgreSQL server to connect to, and a description for the start-up line that holds no password. */
public record DatabaseTarget(String jdbcUrl, String user, String password, String description) {

    /** The port in the URL (5432 when it names none), or null for a URL that is not one host and port. */
    public Integer port() {
        try {
            java.net.URI uri = java.net.URI.create(jdbcUrl.substring("jdbc:".length()));
            return uri.getHost() == null ? null : uri.getPort() == -1 ? 5432 : uri.getPort();
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            return null;
        }
    }
}
