package dev.courier.loadtest.report;

/**
 * @param lost            acknowledged messages absent from history, plus deliveries that never reached a member's
 *                        connection that stayed open (one per message and connection)
 * @param duplicated      a message seen twice on one connection, or two messages under one seq
 * @param outOfOrder      a message seen after a higher seq of its conversation on the same connection, or history
 *                        not ascending
 * @param historyGaps     seqs missing between 1 and the highest stored seq
 * @param deliveryChecked whether deliveries were checked at all (only when the server offers the stream)
 * @param connectionsClosedEarly stream connections the server closed during the run (not held to delivery)
 */
public record IntegrityReport(long acked, long lost, long duplicated, long outOfOrder, long historyGaps,
                              boolean deliveryChecked, int connectionsClosedEarly) {

    public boolean intact() {
        return lost == 0 && duplicated == 0 && outOfOrder == 0 && historyGaps == 0;
    }
}
