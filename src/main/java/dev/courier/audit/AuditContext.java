package dev.courier.audit;

import dev.courier.db.Database;
import dev.courier.db.DatabaseUnavailableException;
import dev.courier.db.PgBouncerConsole;
import dev.courier.nodes.Node;
import dev.courier.nodes.NodeRegistry;
import dev.courier.nodes.NodeStore;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What every check reads, gathered once at the start of an audit: PostgreSQL's version and settings, and the node
 * rows. The checks query the database for the rest through {@link #db()}.
 *
 * @param database      where the audit looked, for the report's first line (no password)
 * @param connectedPort the port in the audit's database URL, to tell a pooler in the path; null when unknown
 * @param prober        how to send a bus probe; empty when the audit cannot (no node URL or admin token given)
 * @param pooler        PgBouncer's console at the address the audit connects to, in case a pooler is there
 */
public record AuditContext(Database db, String database, Integer connectedPort, Optional<BusProber> prober,
                           Optional<PgBouncerConsole> pooler,
                           HttpClient http, int serverVersionNum, String serverVersion, Map<String, Setting> settings,
                           List<Node> nodes) {

    /** A row of {@code pg_settings}: the raw value and its unit, and the value as {@code SHOW} prints it. */
    public record Setting(String name, String value, String unit, String shown) {

        long asLong() {
            return Long.parseLong(value);
        }
    }

    /** The settings the checks read. */
    static final List<String> SETTINGS = List.of("max_connections", "superuser_reserved_connections",
            "reserved_connections", "synchronous_commit", "statement_timeout", "idle_in_transaction_session_timeout",
            "lock_timeout", "checkpoint_timeout", "max_wal_size", "checkpoint_completion_target", "archive_mode",
            "archive_command", "archive_library", "autovacuum", "data_directory", "wal_level");

    /** Reads the facts; an unreachable database, or one without Courier's schema, is a {@link CannotAuditException}. */
    public static AuditContext load(Database db, String database, Integer connectedPort, Optional<BusProber> prober,
                                    Optional<PgBouncerConsole> pooler, HttpClient http) {
        try {
            int versionNum = db.withHandle("audit.version", h -> h.createQuery(
                    "SELECT current_setting('server_version_num')::int").mapTo(Integer.class).one());
            String version = db.withHandle("audit.version", h -> h.createQuery(
                    "SELECT current_setting('server_version')").mapTo(String.class).one());
            Map<String, Setting> settings = new HashMap<>();
            db.withHandle("audit.settings", h -> h.createQuery("SELECT name, setting, unit, "
                            + "CASE WHEN name = 'data_directory' AND NOT pg_has_role('pg_read_all_settings', 'USAGE') "
                            + "THEN NULL ELSE current_setting(name) END AS shown "
                            + "FROM pg_settings WHERE name = ANY(:names)")
                    .bindArray("names", String.class, SETTINGS)
                    .map((rs, ctx) -> new Setting(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                    .list()).forEach(s -> settings.put(s.name(), s));
            boolean courierSchema = db.withHandle("audit.schema", h -> h.createQuery(
                    "SELECT to_regclass('flyway_schema_history') IS NOT NULL AND to_regclass('nodes') IS NOT NULL")
                    .mapTo(Boolean.class).one());
            if (!courierSchema) {
                throw new CannotAuditException("no Courier schema of this version in " + database
                        + " (no flyway_schema_history or nodes table): is this the database the nodes use, and have "
                        + "they started since the upgrade?", null);
            }
            List<Node> nodes = db.withHandle("audit.nodes", h -> new NodeStore().list(h, NodeRegistry.GONE_AFTER));
            return new AuditContext(db, database, connectedPort, prober, pooler, http, versionNum, version, settings, nodes);
        } catch (DatabaseUnavailableException e) {
            throw new CannotAuditException("PostgreSQL at " + database + " does not answer: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof CannotAuditException) {
                throw e;
            }
            throw new CannotAuditException("could not read PostgreSQL at " + database + ": " + e.getMessage(), e);
        }
    }

    public List<Node> alive() {
        return nodes.stream().filter(Node::alive).toList();
    }

    Optional<Setting> setting(String name) {
        return Optional.ofNullable(settings.get(name));
    }

    String shown(String name) {
        return setting(name).map(Setting::shown).orElse("?");
    }

    Duration probeTimeout() {
        return Duration.ofSeconds(5);
    }
}
