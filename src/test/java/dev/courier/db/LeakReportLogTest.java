package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.courier.testing.ApiClient;
import dev.courier.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LeakReportLogTest {

    @Test
    void theFirstLeakFromALinePrintsItsStackAndLaterOnesOnlyNameIt() {
        Logger reclaimerLog = (Logger) LoggerFactory.getLogger(LeaseReclaimer.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        reclaimerLog.addAppender(logged);
        try (TestServer server = TestServer.start(cfg -> cfg.withFaultInjection(true))) {
            ApiClient api = server.client();
            ApiClient.TestUser user = api.newUser();
            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("leakRate", 1.0)).status())
                    .isEqualTo(200);
            for (int i = 0; i < 5; i++) {
                api.get("/v1/me", user.token());
            }
            assertThat(api.put("/v1/admin/faults", TestServer.ADMIN_TOKEN, Map.of("leakRate", 0)).status())
                    .isEqualTo(200);
        } finally {
            reclaimerLog.detachAppender(logged);
        }
        List<ILoggingEvent> leaks = logged.list.stream()
                .filter(e -> e.getFormattedMessage().startsWith("connection leak suspected: fault.leak")).toList();
        assertThat(leaks).hasSizeGreaterThanOrEqualTo(5);
        assertThat(leaks.getFirst().getThrowableProxy()).isNotNull();
        assertThat(leaks.getFirst().getThrowableProxy().getMessage()).isEqualTo("borrowed by fault.leak");
        assertThat(leaks.subList(1, leaks.size())).allSatisfy(e -> {
            assertThat(e.getThrowableProxy()).isNull();
            assertThat(e.getFormattedMessage()).contains("the stack logged with its first leak");
        });
    }
}
