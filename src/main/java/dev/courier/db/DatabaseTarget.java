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
}
