package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.StreamFrame.DeliveredMessage;
import dev.courier.loadtest.integrity.IntegrityLedger;
import dev.courier.loadtest.measure.BusyGroupFigures;
import dev.courier.loadtest.measure.OutcomeBuckets;
import dev.courier.loadtest.measure.OutcomesBySecond;

/**
 * Counts how each send ended, once, wherever that counts: the run's figures, the integrity ledger (an ack is a
 * promise), the busy group's side and the outcomes by intended second. A failed send is never sent again: a refusal
 * retried until it passed would show as a slow success, and the refusals as nothing.
 */
final class SendOutcomes {

    private final RunFigures figures;
    private final IntegrityLedger ledger;
    /** Null when the run has no busy group. */
    private final BusyGroupFigures busyGroup;
    private final OutcomeBuckets bySecond;

    SendOutcomes(RunFigures figures, IntegrityLedger ledger, BusyGroupFigures busyGroup, OutcomeBuckets bySecond) {
        this.figures = figures;
        this.ledger = ledger;
        this.busyGroup = busyGroup;
        this.bySecond = bySecond;
    }

    /** The send intended at {@code intended} was acknowledged as {@code m}, or failed with {@code failure}. */
    void record(OutgoingMessage message, long intended, DeliveredMessage m, Throwable failure) {
        if (busyGroup != null) {
            busyGroup.outcome(message.conversationId(), failure == null);
        }
        long now = System.nanoTime();
        if (failure == null) {
            figures.acked(intended, message.sentNanos(), now);
            ledger.acked(m.conversationId(), m.seq(), m.id(), now);
            bySecond.record(intended, true);
        } else {
            figures.failed(intended, message.sentNanos(), now, failure);
            bySecond.record(intended, false);
        }
    }

    OutcomesBySecond bySecond() {
        return bySecond.snapshot();
    }
}
