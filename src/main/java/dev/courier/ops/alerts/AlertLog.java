package dev.courier.ops.alerts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes one log line per alert that fires or resolves, with its runbook, so the log alone tells the story. */
public final class AlertLog implements AlertListener {

    private static final Logger log = LoggerFactory.getLogger("dev.courier.alerts");

    @Override
    public void fired(Alert alert, Figures figures) {
        log.warn("ALERT firing {} severity={} labels={} summary=\"{}\" runbook={}", alert.name(), alert.severity(),
                alert.labels(), alert.summary(), alert.runbook());
    }

    @Override
    public void resolved(Alert alert, Figures figures) {
        log.info("ALERT resolved {} after {} ms summary=\"{}\"", alert.name(),
                alert.endsAt().toEpochMilli() - alert.startsAt().toEpochMilli(), alert.summary());
    }
}
