package dev.courier.audit;

import dev.courier.config.AuditConfig;
import dev.courier.ops.MetricNames;
import dev.courier.ops.alerts.FailedAuditChecks;
import dev.courier.platform.PeriodicTask;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's own audit, every {@code --audit-interval}, so that a drift between audits is not left to a person to
 * notice: {@code courier_audit_check{check,status}} is 1 for each check's current status and 0 for the other two,
 * and the checks that failed feed {@code CourierAuditFailed}. Runs on a thread of its own; until the first audit
 * every series is 0 and nothing fires.
 */
public final class AuditSchedule implements FailedAuditChecks, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditSchedule.class);

    /** The latest report, or null before the first; replaced whole, read by the gauges and the alert engine. */
    private volatile AuditReport latest;
    private final Supplier<AuditContext> context;
    private final PeriodicTask schedule;

    private AuditSchedule(Supplier<AuditContext> context, MeterRegistry meters, AuditConfig config) {
        this.context = context;
        for (String check : Audit.checkNames()) {
            for (CheckStatus status : CheckStatus.values()) {
                Gauge.builder(MetricNames.AUDIT_CHECK, this, s -> s.statusOf(check) == status ? 1 : 0)
                        .description("1 for the status of each check in this node's latest infrastructure audit")
                        .tag("check", check).tag("status", status.label()).register(meters);
            }
        }
        if (config.enabled()) {
            // PostgreSQL down is CourierDatabaseUnreachable's to report; the last verdict stands meanwhile
            schedule = PeriodicTask.start(config.firstAfter(), config.interval(), "courier-audit", this::runNow,
                    e -> log.warn("audit: could not run: {}", e.getMessage()));
        } else {
            schedule = null;
        }
    }

    /** Registers the gauges now; schedules the audit when the configuration turns it on. */
    public static AuditSchedule start(AuditConfig config, MeterRegistry meters, Supplier<AuditContext> context) {
        return new AuditSchedule(context, meters, config);
    }

    private CheckStatus statusOf(String check) {
        AuditReport report = latest;
        if (report == null) {
            return null;
        }
        return report.results().stream().filter(r -> r.check().equals(check)).map(CheckResult::status).findFirst()
                .orElse(null);
    }

    /** Runs one audit now, on the caller's thread, and publishes its result. */
    public AuditReport runNow() throws InterruptedException {
        AuditReport report = Audit.run(context.get());
        latest = report;
        if (report.exitCode() != 0) {
            log.warn("audit: {} check(s) failed: {}", report.count(CheckStatus.FAIL), failed());
        } else {
            log.info("audit: no check failed ({} WARN)", report.count(CheckStatus.WARN));
        }
        return report;
    }

    @Override
    public List<String> failed() {
        AuditReport report = latest;
        if (report == null) {
            return List.of();
        }
        return report.failed().stream().map(r -> r.check() + ": " + r.figure()).toList();
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.close();
        }
    }
}
