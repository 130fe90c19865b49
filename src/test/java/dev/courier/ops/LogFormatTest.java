package dev.courier.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.web.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code --log-format json}: one Elastic Common Schema document per line, naming the service, its version and the
 * node, with the request and trace ids from the MDC; and in either format no secret gets through.
 */
class LogFormatTest {

    private final PrintStream originalErr = System.err;

    @AfterEach
    void restoreTextLogging() throws JoranException {
        System.setErr(originalErr);
        MDC.clear();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void jsonFormatWritesOneEcsDocumentPerLineWithTheServiceAndTheRequestAndTraceIds() throws Exception {
        ByteArrayOutputStream captured = capture();
        LogFormat.json.apply(new LogFormat.Identity("1.2.3", "node-a:8080"), false);

        MDC.put("http.request.id", "5eed1d");
        MDC.put("trace.id", "4bf92f3577b34da6a3ce929d0e0e4736");
        LoggerFactory.getLogger("dev.courier.test").warn("first {} line", "formatted");
        LoggerFactory.getLogger("dev.courier.test").info("second line\nwith a newline inside");

        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertThat(lines).hasSize(2);
        JsonNode first = Json.mapper().readTree(lines[0]);
        assertThat(first.path("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(first.path("log.level").asText()).isEqualTo("WARN");
        assertThat(first.path("log.logger").asText()).isEqualTo("dev.courier.test");
        assertThat(first.path("message").asText()).isEqualTo("first formatted line");
        assertThat(first.path("ecs.version").asText()).isNotEmpty();
        assertThat(first.path("service.name").asText()).isEqualTo("courier");
        assertThat(first.path("service.version").asText()).isEqualTo("1.2.3");
        assertThat(first.path("service.node.name").asText()).isEqualTo("node-a:8080");
        assertThat(first.path("http.request.id").asText()).isEqualTo("5eed1d");
        assertThat(first.path("trace.id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(Json.mapper().readTree(lines[1]).path("message").asText())
                .isEqualTo("second line\nwith a newline inside");
    }

    @Test
    void theAccessLogIsOffUnlessAskedFor() {
        LogFormat.text.apply(new LogFormat.Identity("1", "n"), false);
        assertThat(LoggerFactory.getLogger(AccessLog.LOGGER).isInfoEnabled()).isFalse();
        LogFormat.text.apply(new LogFormat.Identity("1", "n"), true);
        assertThat(LoggerFactory.getLogger(AccessLog.LOGGER).isInfoEnabled()).isTrue();
    }

    @Test
    void neitherFormatLetsATokenOrPasswordThrough() throws Exception {
        for (LogFormat format : LogFormat.values()) {
            restoreTextLogging();
            ByteArrayOutputStream captured = capture();
            format.apply(new LogFormat.Identity("1", "n"), false);

            LoggerFactory.getLogger("dev.courier.test").warn("upgrade refused: GET /v1/stream?access_token=s3cr3tT0k "
                    + "Authorization: Bearer b3ar3rT0k body {\"password\":\"hunter2hunter2\"} --admin-token adm1nT0k");

            String out = captured.toString(StandardCharsets.UTF_8);
            assertThat(out).as(format.name()).contains("[REDACTED]", "/v1/stream")
                    .doesNotContain("s3cr3tT0k", "b3ar3rT0k", "hunter2hunter2", "adm1nT0k");
        }
    }

    private ByteArrayOutputStream capture() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        // the console appender picks up System.err when it starts
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        try {
            new ContextInitializer(context).autoConfig();
        } catch (JoranException e) {
            throw new IllegalStateException(e);
        }
        return captured;
    }
}
