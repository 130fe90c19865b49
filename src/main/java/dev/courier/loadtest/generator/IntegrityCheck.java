package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadSetupException;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.integrity.IntegrityLedger;
import dev.courier.loadtest.report.IntegrityReport;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's last word on integrity: waits for deliveries still on their way, then holds every conversation's
 * history against what was acknowledged and delivered, and, in a run that made changes, every change each
 * conversation's counter says was committed against what each member's connection saw.
 */
final class IntegrityCheck {

    private final CourierClient client;
    private final IntegrityLedger ledger;
    private final List<LoadConversation> conversations;
    private final boolean deliveryMeasured;
    private final boolean changesMade;
    /** Each conversation's last change, read once the run's changes have ended; null until then. */
    private Map<Long, Long> lastChangeSeqs;

    IntegrityCheck(CourierClient client, IntegrityLedger ledger, List<LoadConversation> conversations,
                   boolean deliveryMeasured, boolean changesMade) {
        this.client = client;
        this.ledger = ledger;
        this.conversations = conversations;
        this.deliveryMeasured = deliveryMeasured;
        this.changesMade = changesMade;
    }

    /** Waits, at most {@code drain}, for deliveries of acknowledged messages and changes still on their way. */
    void awaitDeliveries(Duration drain) throws InterruptedException {
        if (!deliveryMeasured) {
            return;
        }
        Map<Long, Long> changes = changesMade ? lastChangeSeqs() : Map.of();
        long deadline = System.nanoTime() + drain.toNanos();
        while (System.nanoTime() < deadline && (ledger.missingDeliveries(0, Long.MAX_VALUE) > 0
                || ledger.missingChanges(changes) > 0)) {
            Thread.sleep(250);
        }
    }

    private Map<Long, Long> lastChangeSeqs() throws InterruptedException {
        if (lastChangeSeqs == null) {
            Map<Long, Long> read = new HashMap<>();
            for (LoadConversation c : conversations) {
                try {
                    read.put(c.id(), client.lastChangeSeq(c.id(), c.members().getFirst().token()));
                } catch (IOException e) {
                    throw new LoadSetupException("reading conversation " + c.id() + " failed: " + e);
                }
            }
            lastChangeSeqs = read;
        }
        return lastChangeSeqs;
    }

    IntegrityReport report() throws InterruptedException {
        long lost = 0;
        long duplicated = ledger.duplicated();
        long outOfOrder = ledger.outOfOrder();
        long gaps = 0;
        if (deliveryMeasured) {
            lost += ledger.missingDeliveries(0, Long.MAX_VALUE);
        }
        for (LoadConversation c : conversations) {
            try {
                IntegrityLedger.HistoryCheck h = ledger.checkHistory(c.id(),
                        client.history(c.id(), c.members().getFirst().token()));
                lost += h.lost();
                duplicated += h.duplicated();
                outOfOrder += h.outOfOrder();
                gaps += h.gaps();
            } catch (IOException e) {
                throw new LoadSetupException("reading the history of conversation " + c.id() + " failed: " + e);
            }
        }
        IntegrityReport.Changes changes = null;
        if (changesMade && deliveryMeasured) {
            Map<Long, Long> last = lastChangeSeqs();
            changes = new IntegrityReport.Changes(last.values().stream().mapToLong(Long::longValue).sum(),
                    ledger.missingChanges(last), ledger.changesDuplicated(), ledger.changesOutOfOrder());
        }
        return new IntegrityReport(ledger.ackedCount(), lost, duplicated, outOfOrder, gaps, deliveryMeasured,
                ledger.connectionsClosedEarly(), changes);
    }
}
