package dev.courier.config;

import java.util.Optional;

/**
 * Everything {@code serve} needs, validated once at start and never changed afterwards.
 *
 * @param faultInjection whether {@code /v1/admin/faults} exists (it also needs the admin token)
 * @param retention      how old messages become tombstones; off unless {@code serve} asks for it
 * @param audit          the node's own infrastructure audit; off unless {@code serve} asks for it
 * @param attachments    where attachments are kept and how large they and a user's total may be
 * @param scaling        what the node's saturation gauge is measured against
 */
public record CourierConfig(
        HttpConfig http,
        DatabaseConfig database,
        PoolConfig pool,
        SessionConfig sessions,
        Optional<String> adminToken,
        AlertConfig alerts,
        boolean faultInjection,
        StreamConfig stream,
        SecurityConfig security,
        AuditConfig audit,
        AttachmentConfig attachments,
        RetentionConfig retention,
        ScalingConfig scaling) {

    /** Every part but the scaling signal's, which keeps its defaults. */
    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken, AlertConfig alerts, boolean faultInjection, StreamConfig stream,
                         SecurityConfig security, AuditConfig audit, AttachmentConfig attachments,
                         RetentionConfig retention) {
        this(http, database, pool, sessions, adminToken, alerts, faultInjection, stream, security, audit, attachments,
                retention, ScalingConfig.defaults());
    }

    /** With retention off. */
    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken, AlertConfig alerts, boolean faultInjection, StreamConfig stream,
                         SecurityConfig security, AuditConfig audit, AttachmentConfig attachments) {
        this(http, database, pool, sessions, adminToken, alerts, faultInjection, stream, security, audit, attachments,
                RetentionConfig.off());
    }

    /** Every part but attachments, which keep their defaults. */
    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken, AlertConfig alerts, boolean faultInjection, StreamConfig stream,
                         SecurityConfig security, AuditConfig audit) {
        this(http, database, pool, sessions, adminToken, alerts, faultInjection, stream, security, audit,
                AttachmentConfig.defaults());
    }

    /**
     * A configuration with default alerting, no fault injection, the stream's defaults (LISTEN/NOTIFY) and no rate
     * limits (see {@link SecurityConfig#withoutRateLimits()}); {@code serve} always passes its real settings.
     */
    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken) {
        this(http, database, pool, sessions, adminToken, AlertConfig.defaults(), false, StreamConfig.defaults(),
                SecurityConfig.withoutRateLimits(), AuditConfig.off());
    }

    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken, AlertConfig alerts) {
        this(http, database, pool, sessions, adminToken, alerts, false, StreamConfig.defaults(),
                SecurityConfig.withoutRateLimits(), AuditConfig.off());
    }

    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken, AlertConfig alerts, boolean faultInjection) {
        this(http, database, pool, sessions, adminToken, alerts, faultInjection, StreamConfig.defaults(),
                SecurityConfig.withoutRateLimits(), AuditConfig.off());
    }

    public CourierConfig withPool(PoolConfig newPool) {
        return new CourierConfig(http, database, newPool, sessions, adminToken, alerts, faultInjection, stream,
                security, audit, attachments, retention, scaling);
    }

    public CourierConfig withDatabase(DatabaseConfig newDatabase) {
        return new CourierConfig(http, newDatabase, pool, sessions, adminToken, alerts, faultInjection, stream,
                security, audit, attachments, retention, scaling);
    }

    public CourierConfig withFaultInjection(boolean enabled) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, enabled, stream, security,
                audit, attachments, retention, scaling);
    }

    public CourierConfig withAlerts(AlertConfig newAlerts) {
        return new CourierConfig(http, database, pool, sessions, adminToken, newAlerts, faultInjection, stream,
                security, audit, attachments, retention, scaling);
    }

    public CourierConfig withStream(StreamConfig newStream) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, faultInjection, newStream,
                security, audit, attachments, retention, scaling);
    }

    public CourierConfig withSecurity(SecurityConfig newSecurity) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, faultInjection, stream,
                newSecurity, audit, attachments, retention, scaling);
    }

    public CourierConfig withAudit(AuditConfig newAudit) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, faultInjection, stream, security,
                newAudit, attachments, retention, scaling);
    }

    public CourierConfig withAttachments(AttachmentConfig newAttachments) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, faultInjection, stream, security,
                audit, newAttachments, retention, scaling);
    }

    /**
     * A configuration with default alerting, no fault injection, the stream's defaults (LISTEN/NOTIFY), no rate
     * limits and no audit of its own; {@code serve} always passes its real settings.
     */
    public CourierConfig(HttpConfig http, DatabaseConfig database, PoolConfig pool, SessionConfig sessions,
                         Optional<String> adminToken, AlertConfig alerts, boolean faultInjection, StreamConfig stream,
                         SecurityConfig security) {
        this(http, database, pool, sessions, adminToken, alerts, faultInjection, stream, security, AuditConfig.off());
    }

    public CourierConfig withRetention(RetentionConfig newRetention) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, faultInjection, stream, security,
                audit, attachments, newRetention, scaling);
    }

    public CourierConfig withScaling(ScalingConfig newScaling) {
        return new CourierConfig(http, database, pool, sessions, adminToken, alerts, faultInjection, stream, security,
                audit, attachments, retention, newScaling);
    }
}
