package dev.courier.audit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The infrastructure audit: every check, in the order an operator would fix what they find. First what stops
 * everything (PostgreSQL, the schema, the nodes), then the outage's own arithmetic and safety nets (connection slots,
 * timeouts), then whether an alert would reach a person, then the fleet's bus and clocks, the nodes' defences,
 * and last what decays slowly (backups, disk, checkpoints, vacuum). docs/audit.md explains each.
 */
public final class Audit {

    @FunctionalInterface
    interface Check {
        CheckResult run(AuditContext context) throws Exception;
    }

    private record Named(String name, Check check) {
    }

    private static final List<Named> CHECKS = List.of(
            new Named("postgres.reachable", PostgresChecks::reachable),
            new Named("postgres.version", c -> PostgresChecks.version(c, LocalDate.now(ZoneOffset.UTC))),
            new Named("schema.migrations", PostgresChecks::migrations),
            new Named("fleet.nodes", FleetChecks::nodes),
            new Named("fleet.versions", FleetChecks::versions),
            new Named("postgres.connections", PostgresChecks::connections),
            new Named("pgbouncer.pools", FleetChecks::pooler),
            new Named("postgres.wal-disk", StorageChecks::walDisk),
            new Named("postgres.session-timeouts", PostgresChecks::sessionTimeouts),
            new Named("postgres.synchronous-commit", PostgresChecks::synchronousCommit),
            new Named("postgres.long-transactions", PostgresChecks::longTransactions),
            new Named("postgres.idle-in-transaction", PostgresChecks::idleInTransaction),
            new Named("alerting.webhooks", AlertingChecks::webhooksConfigured),
            new Named("alerting.webhooks-reachable", AlertingChecks::webhooksReachable),
            new Named("alerting.engine", AlertingChecks::engine),
            new Named("fleet.bus-probe", FleetChecks::busProbe),
            new Named("fleet.clocks", FleetChecks::clocks),
            new Named("safety.admin-token", SafetyChecks::adminToken),
            new Named("safety.fault-injection", SafetyChecks::faultInjection),
            new Named("safety.rate-limits", SafetyChecks::rateLimits),
            new Named("safety.cors", SafetyChecks::cors),
            new Named("safety.trusted-proxies", SafetyChecks::trustedProxies),
            new Named("backups.wal-archiving", StorageChecks::backups),
            new Named("postgres.checkpoints", StorageChecks::checkpoints),
            new Named("postgres.autovacuum", StorageChecks::autovacuum));

    private Audit() {
    }

    /** Every check's name, in report order: the {@code check} label values of {@code courier_audit_check}. */
    public static List<String> checkNames() {
        return CHECKS.stream().map(Named::name).toList();
    }

    /**
     * Runs every check. A check that cannot look (a missing privilege, a view this PostgreSQL lacks) says so as a
     * WARN and the others still run.
     */
    public static AuditReport run(AuditContext context) throws InterruptedException {
        List<CheckResult> results = new ArrayList<>();
        for (Named named : CHECKS) {
            CheckResult result;
            try {
                result = named.check().run(context);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                result = CheckResult.warn(named.name(), "could not check: " + (e.getMessage() == null
                        ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("")),
                        "grant the audit's role pg_monitor, or see docs/audit.md for what this check reads");
            }
            if (!result.check().equals(named.name())) {
                throw new IllegalStateException("check " + named.name() + " reported as " + result.check());
            }
            results.add(result);
        }
        return new AuditReport(Instant.now(), context.database(), context.alive().size(), results);
    }
}
