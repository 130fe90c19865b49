package dev.courier.db;

/**
 * A PostgreSQL server to connect to, and a description for the start-up line that holds no password.
 *
 * @param transactionPooled whether the URL points at a pooler in transaction mode (PgBouncer's
 *                          {@code pool_mode = transaction}) rather than at PostgreSQL: each transaction may run on
 *                          another server session, so Courier keeps no session state there (no server-side prepared
 *                          statements, no startup {@code options}, no backend pid to terminate)
 */
public record DatabaseTarget(String jdbcUrl, String user, String password, String description,
                             boolean transactionPooled) {

    public DatabaseTarget(String jdbcUrl, String user, String password, String description) {
        this(jdbcUrl, user, password, description, false);
    }

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
