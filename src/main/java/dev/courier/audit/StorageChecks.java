package dev.courier.audit;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What keeps acknowledged messages safe and the database healthy over time: checkpoints, WAL, vacuum, backups. */
final class StorageChecks {

    /** The tables Courier writes most: messages and their changes, read markers, presence, rate buckets. */
    static final List<String> BUSY_TABLES = List.of("messages", "conversation_changes", "memberships",
            "user_presence", "rate_buckets", "sessions");

    private StorageChecks() {
    }

    /**
     * Heuristics, each explained in docs/audit.md: checkpoints forced by WAL volume (max_wal_size too small for the
     * write rate: each forced checkpoint is a burst of writes and full-page images), the average WAL written per
     * checkpoint_timeout against max_wal_size, and a checkpoint_timeout long enough to make crash recovery slow.
     */
    static CheckResult checkpoints(AuditContext c) {
        boolean seventeen = c.serverVersionNum() >= 170_000;
        String sql = seventeen
                ? "SELECT num_timed, num_requested, extract(epoch FROM now() - stats_reset) FROM pg_stat_checkpointer"
                : "SELECT checkpoints_timed, checkpoints_req, extract(epoch FROM now() - stats_reset) FROM pg_stat_bgwriter";
        record Counts(long timed, long requested, double seconds) {
        }
        Counts counts = c.db().withHandle("audit.checkpoints", h -> h.createQuery(sql)
                .map((rs, ctx) -> new Counts(rs.getLong(1), rs.getLong(2), rs.getDouble(3))).one());
        double walBytes = c.db().withHandle("audit.wal", h -> h.createQuery(
                        "SELECT wal_bytes::float8 / greatest(extract(epoch FROM now() - stats_reset), 1) FROM pg_stat_wal")
                .mapTo(Double.class).one());
        long timeoutSeconds = c.setting("checkpoint_timeout").map(AuditContext.Setting::asLong).orElse(300L);
        long maxWalMb = c.setting("max_wal_size").map(AuditContext.Setting::asLong).orElse(1024L);
        double walPerTimeoutMb = walBytes * timeoutSeconds / 1_048_576.0;
        long total = counts.timed() + counts.requested();
        String figure = String.format(Locale.ROOT, "checkpoint_timeout %s, max_wal_size %s; %d checkpoints (%d forced "
                        + "by WAL volume) in %.1f h; %.1f MB of WAL per checkpoint_timeout on average",
                c.shown("checkpoint_timeout"), c.shown("max_wal_size"), total, counts.requested(),
                counts.seconds() / 3600, walPerTimeoutMb);
        if (total >= 5 && counts.requested() * 10 > total) {
            return CheckResult.warn("postgres.checkpoints", figure, "raise max_wal_size (to about "
                    + Math.max(2 * maxWalMb, Math.round(3 * walPerTimeoutMb)) + " MB): more than one checkpoint in ten "
                    + "comes early, each a burst of writes that slows commits");
        }
        if (walPerTimeoutMb > maxWalMb / 2.0) {
            return CheckResult.warn("postgres.checkpoints", figure, "raise max_wal_size to at least "
                    + Math.round(3 * walPerTimeoutMb) + " MB: at this write rate checkpoints will come before "
                    + "checkpoint_timeout");
        }
        if (timeoutSeconds > 1800) {
            return CheckResult.warn("postgres.checkpoints", figure, "lower checkpoint_timeout to 15min or less: "
                    + "crash recovery replays up to a whole interval of WAL before PostgreSQL accepts connections");
        }
        return CheckResult.pass("postgres.checkpoints", figure);
    }

    /**
     * PostgreSQL reports no free disk space over SQL. When its data directory is on this machine and readable, the
     * file system under pg_wal is asked; otherwise the check says it could not look, with the size of pg_wal when the
     * role may list it.
     */
    static CheckResult walDisk(AuditContext c) {
        Optional<String> walSize = walDirectorySize(c);
        String dataDir = c.setting("data_directory").map(AuditContext.Setting::shown).orElse(null);
        // The same path may exist on this machine for another PostgreSQL: look only when the server is on this one.
        boolean local = c.db().withHandle("audit.server-address", h -> h.createQuery(
                "SELECT coalesce(host(inet_server_addr()) IN ('127.0.0.1', '::1'), true)").mapTo(Boolean.class).one());
        Optional<FileStore> store = Optional.empty();
        if (local && dataDir != null && Files.isDirectory(Path.of(dataDir, "pg_wal"))) {
            try {
                store = Optional.of(Files.getFileStore(Path.of(dataDir, "pg_wal")));
            } catch (IOException | SecurityException e) {
                store = Optional.empty();
            }
        }
        if (store.isEmpty()) {
            return CheckResult.warn("postgres.wal-disk", "could not check the free space under pg_wal: PostgreSQL does "
                            + "not report it over SQL and its data directory is not on this machine"
                            + walSize.map(s -> "; pg_wal holds " + s).orElse(""),
                    "watch that disk where it is (node_exporter's node_filesystem_avail_bytes), or run the audit on "
                            + "the database host; a full WAL disk stops every write");
        }
        try {
            long free = store.get().getUsableSpace();
            long total = store.get().getTotalSpace();
            double share = total == 0 ? 0 : 100.0 * free / total;
            String figure = String.format(Locale.ROOT, "%.1f GB free of %.1f GB (%.0f %%) under %s/pg_wal%s",
                    free / 1e9, total / 1e9, share, dataDir, walSize.map(s -> "; pg_wal holds " + s).orElse(""));
            if (share < 5 || free < 1_000_000_000L) {
                return CheckResult.fail("postgres.wal-disk", figure, "free space now: a full WAL disk stops every "
                        + "write (PostgreSQL PANICs); check for a stuck archive_command or an inactive replication slot");
            }
            if (share < 20) {
                return CheckResult.warn("postgres.wal-disk", figure, "grow the disk or free space before it fills");
            }
            return CheckResult.pass("postgres.wal-disk", figure);
        } catch (IOException e) {
            return CheckResult.warn("postgres.wal-disk", "could not read the free space under " + dataDir + ": "
                    + e.getMessage(), "watch that disk where it is");
        }
    }

    private static Optional<String> walDirectorySize(AuditContext c) {
        try {
            return Optional.of(c.db().withHandle("audit.wal-dir", h -> h.createQuery(
                    "SELECT pg_size_pretty(sum(size)) || ' in ' || count(*) || ' files' FROM pg_ls_waldir()")
                    .mapTo(String.class).one()));
        } catch (RuntimeException insufficientPrivilege) {
            return Optional.empty(); // pg_ls_waldir needs pg_monitor; the figure just goes without it
        }
    }

    static CheckResult autovacuum(AuditContext c) {
        if (c.shown("autovacuum").equals("off")) {
            return CheckResult.fail("postgres.autovacuum", "autovacuum is off", "set autovacuum = on: without it dead "
                    + "rows pile up in the message tables, and transaction id wraparound eventually stops writes");
        }
        record Table(String name, long live, long dead, String lastVacuum, boolean disabled) {
        }
        List<Table> tables = c.db().withHandle("audit.autovacuum", h -> h.createQuery("""
                        SELECT s.relname, s.n_live_tup, s.n_dead_tup,
                               coalesce(to_char(greatest(s.last_autovacuum, s.last_vacuum), 'YYYY-MM-DD HH24:MI'), 'never'),
                               coalesce(c.reloptions::text LIKE '%autovacuum_enabled=false%', false)
                          FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
                         WHERE s.relname = ANY(:tables) AND s.schemaname = current_schema()
                         ORDER BY s.n_dead_tup DESC""")
                .bindArray("tables", String.class, BUSY_TABLES)
                .map((rs, ctx) -> new Table(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                        rs.getBoolean(5))).list());
        List<Table> off = tables.stream().filter(Table::disabled).toList();
        if (!off.isEmpty()) {
            return CheckResult.fail("postgres.autovacuum", "autovacuum disabled on " + off.stream().map(Table::name)
                    .collect(Collectors.joining(", ")), "ALTER TABLE ... RESET (autovacuum_enabled)");
        }
        List<Table> behind = tables.stream().filter(t -> t.dead() > 10_000 && t.dead() * 5 > t.live() + t.dead())
                .toList();
        String worst = tables.isEmpty() ? "no statistics yet" : tables.stream().limit(3).map(t -> t.name() + " "
                + t.dead() + " dead of " + (t.live() + t.dead()) + " rows, vacuumed " + t.lastVacuum())
                .collect(Collectors.joining("; "));
        if (!behind.isEmpty()) {
            return CheckResult.warn("postgres.autovacuum", "autovacuum is behind: " + worst, "look for long "
                    + "transactions (postgres.long-transactions) holding it back, then lower "
                    + "autovacuum_vacuum_scale_factor for " + behind.getFirst().name() + " (ALTER TABLE ... SET "
                    + "(autovacuum_vacuum_scale_factor = 0.02)) or raise autovacuum_vacuum_cost_limit");
        }
        return CheckResult.pass("postgres.autovacuum", "keeping up: " + worst);
    }

    /** An acknowledged message survives a crash of PostgreSQL; only a copy elsewhere survives the loss of its disk. */
    static CheckResult backups(AuditContext c) {
        String mode = c.shown("archive_mode");
        String command = c.setting("archive_command").map(AuditContext.Setting::shown).orElse("");
        String library = c.setting("archive_library").map(AuditContext.Setting::shown).orElse("");
        boolean archiving = !mode.equals("off") && !(command.isBlank() || command.equals("(disabled)"))
                || !mode.equals("off") && !library.isBlank();
        long replicas = c.db().withHandle("audit.replicas", h -> h.createQuery(
                "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").mapTo(Long.class).one());
        if (archiving) {
            record Archiver(long archived, long failed, boolean failingNow, String lastFailed) {
            }
            Archiver a = c.db().withHandle("audit.archiver", h -> h.createQuery("""
                            SELECT archived_count, failed_count,
                                   coalesce(last_failed_time > coalesce(last_archived_time, '-infinity'), false),
                                   coalesce(last_failed_wal, '')
                              FROM pg_stat_archiver""")
                    .map((rs, ctx) -> new Archiver(rs.getLong(1), rs.getLong(2), rs.getBoolean(3), rs.getString(4)))
                    .one());
            if (a.failingNow()) {
                return CheckResult.fail("backups.wal-archiving", "archive_command fails: last failed on "
                                + a.lastFailed() + " (" + a.failed() + " failures, " + a.archived() + " archived)",
                        "fix the archive command (see the PostgreSQL log); unarchived WAL stays in pg_wal until it "
                                + "fills the disk");
            }
            return CheckResult.pass("backups.wal-archiving", "WAL archiving on (" + a.archived() + " segments archived)"
                    + (replicas > 0 ? " and " + replicas + " streaming replica" + (replicas == 1 ? "" : "s") : ""));
        }
        if (replicas > 0) {
            return CheckResult.pass("backups.wal-archiving", replicas + " streaming replica"
                    + (replicas == 1 ? "" : "s") + " (no WAL archiving)");
        }
        return CheckResult.warn("backups.wal-archiving", "no WAL archiving (archive_mode " + mode + ") and no streaming "
                + "replica: acknowledged messages survive a crash, not the loss of the disk", "set up continuous "
                + "archiving (archive_mode = on with pgBackRest, WAL-G or barman) or a streaming replica");
    }
}
