package dev.courier.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.AlertConfig;
import dev.courier.ops.alerts.AlertRule;
import dev.courier.ops.alerts.DefaultRules;
import dev.courier.testing.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Prometheus version of the built-in alerts: valid, unit-tested by promtool, and the same set of alerts. */
class PrometheusRulesTest {

    private static final Path RULES = Path.of("deploy/prometheus/courier-alerts.yml");
    private static final Path RULE_TESTS = Path.of("deploy/prometheus/courier-alerts.test.yml");

    @Test
    void theRulesPassPromtoolsCheckAndItsUnitTests() {
        Promtool.Result check = Promtool.run("check", "rules", RULES.toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 12 rules found");
        Promtool.Result tests = Promtool.run("test", "rules", RULE_TESTS.toString());
        assertThat(tests.exitCode()).as(tests.output()).isZero();
        assertThat(tests.output()).contains("SUCCESS");
    }

    @Test
    void thePrometheusRulesAreTheBuiltInAlertsWithTheirSeveritiesAndRunbooks() throws Exception {
        String yaml = Files.readString(RULES);
        Map<String, String> inPrometheus = new LinkedHashMap<>();
        Matcher m = Pattern.compile("- alert: (\\w+).*?severity: (\\w+).*?runbook_url: (\\S+)", Pattern.DOTALL)
                .matcher(yaml);
        while (m.find()) {
            inPrometheus.put(m.group(1), m.group(2) + " " + m.group(3));
        }
        Map<String, String> builtIn = new LinkedHashMap<>();
        for (AlertRule rule : DefaultRules.all(AlertConfig.defaults())) {
            builtIn.put(rule.name(), rule.severity().name() + " " + rule.runbook());
            assertThat(Path.of(rule.runbook())).as("runbook of " + rule.name()).isRegularFile();
        }
        assertThat(inPrometheus).isEqualTo(builtIn);
    }
}
