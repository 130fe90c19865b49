package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.StreamConnection;
import dev.courier.loadtest.client.StreamFrame;
import dev.courier.loadtest.client.StreamFrame.DeliveredMessage;
import dev.courier.loadtest.integrity.IntegrityLedger;
import dev.courier.loadtest.measure.BusyGroupFigures;
import java.util.Optional;

/**
 * What each frame the virtual users' streams receive means to the run: a {@code message} is a delivery to check
 * and time, a {@code message_changed} a change's delivery to check, an {@code ack} or {@code error} ends a socket
 * send, {@code typing} and {@code presence} are counted. Runs on the sockets' selector thread: nothing here
 * may block.
 */
final class FrameIntake {

    private final IntegrityLedger ledger;
    private final ClientMsgIds clientMsgIds;
    private final RunFigures figures;
    /** Null when the run has no busy group. */
    private final BusyGroupFigures busyGroup;
    private final PendingAcks socketAcks;
    private final ChatterCounts chatter;
    /** False when a socket send's ack is its stream's copy of the message ({@code echo=false}). */
    private final boolean echo;

    /** @param echo false when the streams were opened with {@code echo=false}: a socket ack is the sender's copy */
    FrameIntake(IntegrityLedger ledger, ClientMsgIds clientMsgIds, RunFigures figures, BusyGroupFigures busyGroup,
                PendingAcks socketAcks, ChatterCounts chatter, boolean echo) {
        this.echo = echo;
        this.chatter = chatter;
        this.ledger = ledger;
        this.clientMsgIds = clientMsgIds;
        this.figures = figures;
        this.busyGroup = busyGroup;
        this.socketAcks = socketAcks;
    }

    void onFrame(StreamConnection connection, StreamFrame frame, long receivedNanos) {
        switch (frame) {
            case StreamFrame.Message(DeliveredMessage m) -> {
                ledger.delivered(connection.id(), m.conversationId(), m.seq());
                if (m.senderId() != connection.user().id()) {
                    Optional<ClientMsgIds.Times> times = clientMsgIds.timesOf(m.clientMsgId());
                    if (times.isPresent()) {
                        long intended = times.get().intendedNanos();
                        figures.delivered(intended, times.get().sentNanos(), receivedNanos);
                        if (busyGroup != null) {
                            busyGroup.delivered(m.conversationId(), intended, receivedNanos);
                        }
                    }
                }
            }
            case StreamFrame.Changed(DeliveredMessage m) ->
                    ledger.changeDelivered(connection.id(), m.conversationId(), m.changeSeq());
            case StreamFrame.Ack(String clientMsgId, DeliveredMessage m) -> {
                if (!echo) {
                    ledger.ownCopy(connection.id(), m.conversationId(), m.seq());
                }
                socketAcks.acked(clientMsgId, m);
            }
            case StreamFrame.Error error -> {
                if (error.clientMsgId() != null) {
                    socketAcks.failed(error.clientMsgId(), SendFailure.ofErrorFrame(error));
                }
            }
            case StreamFrame.Typing typing -> chatter.typingReceived();
            case StreamFrame.Presence presence -> chatter.presenceReceived(presence.online());
            case StreamFrame.Ready r -> { }
            case StreamFrame.Other other -> { }
        }
    }
}
