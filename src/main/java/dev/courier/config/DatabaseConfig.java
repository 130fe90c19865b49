package dev.courier.config;

import java.nio.file.Path;
import java.util.Optional;

/** Either an external PostgreSQL, or the embedded one whose files live under {@code dataDir}. */
public record DatabaseConfig(Optional<JdbcTarget> external, Path dataDir) {

    public boolean embedded() {
        return external.isEmpty();
    }
}
