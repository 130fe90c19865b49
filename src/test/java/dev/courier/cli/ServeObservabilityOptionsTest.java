package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.ops.LogFormat;
import java.net.URI;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code serve --alert-webhook} (repeatable and comma-separated), {@code --log-format} and {@code --access-log}. */
class ServeObservabilityOptionsTest {

    @Test
    void webhooksAreRepeatableAndCommaSeparated() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(
                "--alert-webhook", "http://127.0.0.1:9093/api/v2/alerts",
                "--alert-webhook", "https://hooks.example/a,https://hooks.example/b", "--log-format", "JSON");
        assertThat(serve.config().alerts().webhooks()).containsExactly(
                URI.create("http://127.0.0.1:9093/api/v2/alerts"), URI.create("https://hooks.example/a"),
                URI.create("https://hooks.example/b"));
        assertThat(serve.logFormat).isEqualTo(LogFormat.json);
    }

    @Test
    void withoutWebhooksNothingIsPostedAndLogsAreText() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs();
        assertThat(serve.config().alerts().webhooks()).isEmpty();
        assertThat(serve.logFormat).isEqualTo(LogFormat.text);
        assertThat(serve.accessLog).as("the access log is off by default").isFalse();
    }

    @Test
    void theAccessLogIsTurnedOnByItsFlag() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--access-log");
        assertThat(serve.accessLog).isTrue();
    }

    @Test
    void aWebhookThatIsNotAnHttpUrlIsRefusedNamingTheOption() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--alert-webhook", "ftp://example/x");
        assertThatThrownBy(serve::config).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--alert-webhook");
    }
}
