package dev.courier.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import co.elastic.logging.logback.EcsEncoder;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-format}: {@code text} for people, {@code json} for log pipelines. A JSON line is an Elastic Common
 * Schema document ({@code @timestamp}, {@code log.level}, {@code message}, {@code ecs.version}, ...), written by
 * Elastic's own encoder, with {@code service.name}, {@code service.version} and {@code service.node.name} (the node id)
 * on every line and the MDC's fields beside them: {@code http.request.id}, {@code trace.id}, {@code span.id}, and
 * the access log's fields ({@link AccessLog}). In both formats every line goes through {@link Redaction}.
 */
public enum LogFormat {
    text,
    json;

    public static final String SERVICE_NAME = "courier";

    /** Who writes the lines: the service's version and this node's id. */
    public record Identity(String version, String nodeId) {
    }

    /**
     * Switches every appender of the root logger to this format, behind the redaction, and turns the access log on
     * or off. The access logger writes through the root's appenders, so its lines are in the same format.
     */
    public void apply(Identity identity, boolean accessLog) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        var root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender
                    && !(appender.getEncoder() instanceof RedactingEncoder)) {
                Encoder<ILoggingEvent> encoder = this == json ? ecs(context, identity) : appender.getEncoder();
                RedactingEncoder redacting = new RedactingEncoder(encoder);
                redacting.setContext(context);
                redacting.start();
                appender.stop();
                appender.setEncoder(redacting);
                appender.start();
            }
        }
        context.getLogger(AccessLog.LOGGER).setLevel(accessLog ? Level.INFO : Level.OFF);
    }

    /** An encoder of this format, for an appender of one's own (a test's file, say). */
    public Encoder<ILoggingEvent> encoder(LoggerContext context, Identity identity, String textPattern) {
        Encoder<ILoggingEvent> inner;
        if (this == json) {
            inner = ecs(context, identity);
        } else {
            var pattern = new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
            pattern.setContext(context);
            pattern.setPattern(textPattern);
            pattern.start();
            inner = pattern;
        }
        RedactingEncoder redacting = new RedactingEncoder(inner);
        redacting.setContext(context);
        redacting.start();
        return redacting;
    }

    private static EcsEncoder ecs(LoggerContext context, Identity identity) {
        EcsEncoder encoder = new EcsEncoder();
        encoder.setContext(context);
        encoder.setServiceName(SERVICE_NAME);
        encoder.setServiceVersion(identity.version());
        encoder.setServiceNodeName(identity.nodeId());
        encoder.setStackTraceAsArray(false);
        encoder.start();
        return encoder;
    }
}
