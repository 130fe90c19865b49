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

/** {@code --log-format json}: one JSON object per line, carrying the request id from the MDC. */
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
    void jsonFormatWritesOneObjectPerLineWithTheRequestId() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LogFormat.json.apply();

        MDC.put("requestId", "5eed1d");
        LoggerFactory.getLogger("dev.courier.test").warn("first {} line", "formatted");
        LoggerFactory.getLogger("dev.courier.test").info("second line\nwith a newline inside");

        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertThat(lines).hasSize(2);
        JsonNode first = Json.mapper().readTree(lines[0]);
        assertThat(first.path("level").asText()).isEqualTo("WARN");
        assertThat(first.path("loggerName").asText()).isEqualTo("dev.courier.test");
        assertThat(first.path("formattedMessage").asText()).isEqualTo("first formatted line");
        assertThat(first.path("mdc").path("requestId").asText()).isEqualTo("5eed1d");
        assertThat(Json.mapper().readTree(lines[1]).path("formattedMessage").asText())
                .isEqualTo("second line\nwith a newline inside");
    }
}
