package dev.courier.ops.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.WebhookReceiver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Firing alerts are posted again on every resend, except those whose incident a person has acknowledged. */
class WebhookResendTest {

    private static final Instant STARTED = Instant.parse("2026-12-07T09:00:00Z");
    private static final Alert LEAK = firing("CourierLeakSuspected");
    private static final Alert SATURATED = firing("CourierPoolSaturated");

    @Test
    void everyFiringAlertIsPostedAgainWhileNobodyHasAcknowledgedIt() throws InterruptedException {
        assertThat(resentAlertNames(alert -> false)).containsExactlyInAnyOrder("CourierLeakSuspected",
                "CourierPoolSaturated");
    }

    @Test
    void anAcknowledgedAlertIsNotPostedAgainWhileTheOthersAre() throws InterruptedException {
        assertThat(resentAlertNames(alert -> alert.name().equals("CourierLeakSuspected")))
                .containsExactly("CourierPoolSaturated");
    }

    @Test
    void aStatusAnnotationIsPostedBesideTheAlertsOwnAnnotations() throws InterruptedException {
        try (WebhookReceiver receiver = WebhookReceiver.start();
             WebhookNotifier notifier = notifier(receiver, alert -> true)) {
            notifier.annotate(List.of(LEAK), Map.of("incident_status", "rolling back"), Instant.now());

            JsonNode posted = receiver.await(a -> true, Duration.ofSeconds(5)).orElseThrow();
            assertThat(posted.path("annotations").path("incident_status").asText()).isEqualTo("rolling back");
            assertThat(posted.path("annotations").path("summary").asText()).isEqualTo("CourierLeakSuspected summary");
            assertThat(posted.path("labels").path("alertname").asText()).isEqualTo("CourierLeakSuspected");
        }
    }

    private static List<String> resentAlertNames(Predicate<Alert> acknowledged) throws InterruptedException {
        try (WebhookReceiver receiver = WebhookReceiver.start();
             WebhookNotifier notifier = notifier(receiver, acknowledged)) {
            notifier.evaluated(figuresAt(Instant.now().plusSeconds(1)), List.of(LEAK, SATURATED));
            // a marker posted after the resend: once it arrives, everything the resend posted has arrived
            notifier.annotate(List.of(firing("Marker")), Map.of(), Instant.now());
            receiver.await(a -> a.path("labels").path("alertname").asText().equals("Marker"), Duration.ofSeconds(5))
                    .orElseThrow();
            return receiver.alerts().stream().map(a -> a.path("labels").path("alertname").asText())
                    .filter(name -> !name.equals("Marker")).toList();
        }
    }

    private static WebhookNotifier notifier(WebhookReceiver receiver, Predicate<Alert> acknowledged) {
        return new WebhookNotifier(List.of(receiver.uri()), "http://localhost/v1/admin/alerts", "test:1",
                Duration.ZERO, acknowledged, new SimpleMeterRegistry());
    }

    private static Alert firing(String name) {
        return new Alert(name, Alert.FIRING, Severity.critical, name + " summary", Map.of(), "docs/runbooks/x.md",
                STARTED, null);
    }

    /** Only the instant matters to the notifier. */
    private static Figures figuresAt(Instant at) {
        return new Figures(at, null, true, null, List.of(), 0, null, System.nanoTime(), List.of(), null);
    }
}
