package dev.courier.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Either an external PostgreSQL, or the embedded one whose files live under {@code dataDir}.
 *
 * @param transactionPooled {@code external} is a pooler in transaction mode (PgBouncer), not PostgreSQL itself
 * @param direct            PostgreSQL itself, for what needs a session of its own behind such a pooler: the
 *                          migrations (Flyway's lock) and the postgres bus's LISTEN
 */
public record DatabaseConfig(Optional<JdbcTarget> external, Path dataDir, boolean transactionPooled,
                             Optional<JdbcTarget> direct) {

    public DatabaseConfig {
        if (transactionPooled && external.isEmpty()) {
            throw new IllegalArgumentException("--db-pool-mode transaction needs --db-url (the pooler's address)");
        }
        if (direct.isPresent() && external.isEmpty()) {
            throw new IllegalArgumentException("--db-direct-url needs --db-url");
        }
    }

    public DatabaseConfig(Optional<JdbcTarget> external, Path dataDir) {
        this(external, dataDir, false, Optional.empty());
    }

    public boolean embedded() {
        return external.isEmpty();
    }
}
