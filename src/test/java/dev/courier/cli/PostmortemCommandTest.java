package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.Courier;
import dev.courier.config.CourierConfig;
import dev.courier.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code courier postmortem ID} against a server that cannot answer says why, and where ids come from. */
class PostmortemCommandTest {

    @Test
    void aServerWithoutAnAdminTokenIsSaidToHaveItsAdminApiOff() {
        try (TestServer server = TestServer.start(cfg -> new CourierConfig(cfg.http(), cfg.database(), cfg.pool(),
                cfg.sessions(), Optional.empty(), cfg.alerts(), false, cfg.stream(), cfg.security()))) {
            CommandLine cli = Courier.commandLine();
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err));

            int exit = cli.execute("postmortem", "1", "--url", server.baseUrl(), "--admin-token", "guess");

            assertThat(exit).isEqualTo(1);
            assertThat(err.toString()).contains("answered 404: the admin API is off: this server was started "
                    + "without an admin token", "GET /v1/admin/incidents").doesNotContain("{\"error\"");
        }
    }
}
