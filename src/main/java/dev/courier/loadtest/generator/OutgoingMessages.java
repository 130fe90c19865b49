package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.VirtualUser;
import dev.courier.loadtest.measure.BusyGroupFigures;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Which conversation each send of a run goes to, from whom, and with which clientMsgId and body. */
final class OutgoingMessages {

    private final LoadPopulation population;
    /** Null when the run has no busy group. */
    private final BusyGroupFigures busyGroup;
    private final ClientMsgIds clientMsgIds;
    private final AtomicLong nextConversation = new AtomicLong();

    OutgoingMessages(LoadPopulation population, BusyGroupFigures busyGroup, ClientMsgIds clientMsgIds) {
        this.population = population;
        this.busyGroup = busyGroup;
        this.clientMsgIds = clientMsgIds;
    }

    /**
     * Send number {@code n}: the busy group's share of the sends to it, the others to the other conversations in
     * turn, each from a random member.
     */
    OutgoingMessage next(long intended, long sent, long n) {
        List<LoadConversation> conversations = population.others;
        LoadConversation c = busyGroup != null && busyGroup.goesToBusyGroup(n) ? population.busyGroup
                : conversations.get((int) (nextConversation.getAndIncrement() % conversations.size()));
        VirtualUser sender = c.members().get(ThreadLocalRandom.current().nextInt(c.members().size()));
        String clientMsgId = clientMsgIds.of(intended, sent);
        // bodies differ per send
        String body = "load " + population.runId + " " + clientMsgId.substring(clientMsgId.length() - 8);
        return new OutgoingMessage(c.id(), sender, clientMsgId, body, sent);
    }
}
