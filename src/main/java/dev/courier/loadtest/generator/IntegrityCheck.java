package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadSetupException;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.integrity.IntegrityLedger;
import dev.courier.loadtest.report.IntegrityReport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The run's last word on integrity: waits for deliveries still on their way, then holds every conversation's
 * history against what was acknowledged and delivered.
 */
final class IntegrityCheck {

    private final CourierClient client;
    private final IntegrityLedger ledger;
    private final List<LoadConversation> conversations;
    private final boolean deliveryMeasured;

    IntegrityCheck(CourierClient client, IntegrityLedger ledger, List<LoadConversation> conversations,
                   boolean deliveryMeasured) {
        this.client = client;
        this.ledger = ledger;
        this.conversations = conversations;
        this.deliveryMeasured = deliveryMeasured;
    }

    /** Waits, at most {@code drain}, for deliveries of acknowledged messages that are still on their way. */
    void awaitDeliveries(Duration drain) throws InterruptedException {
        if (!deliveryMeasured) {
            return;
        }
        long deadline = System.nanoTime() + drain.toNanos();
        while (System.nanoTime() < deadline && ledger.missingDeliveries(0, Long.MAX_VALUE) > 0) {
            Thread.sleep(250);
        }
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
        return new IntegrityReport(ledger.ackedCount(), lost, duplicated, outOfOrder, gaps, deliveryMeasured,
                ledger.connectionsClosedEarly());
    }
}
