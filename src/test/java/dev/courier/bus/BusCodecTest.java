package dev.courier.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.events.DomainEvent;
import dev.courier.messages.Message;
import dev.courier.messages.Reaction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BusCodecTest {

    private static final Message MESSAGE = new Message(7, 3, 12, 5, UUID.randomUUID(), "hé \"quoted\" \\ 🙂",
            Instant.parse("2026-11-26T03:30:00.123456Z"));

    private final BusCodec thisNode = new BusCodec(7_900);
    private final BusCodec otherNode = new BusCodec(7_900);

    @Test
    void aNodeRecognisesItsOwnPayloadsAndNoOtherNodes() {
        for (DomainEvent event : List.of(new DomainEvent.MessageStored(MESSAGE), new DomainEvent.MessageChanged(MESSAGE),
                new DomainEvent.ReadMarkerMoved(3, 5, 12),
                new DomainEvent.ConversationChanged(3, List.of(5L, 6L)),
                new DomainEvent.SessionRevoked(5, new byte[] {1, 2, 3}), new DomainEvent.Typing(3, 5),
                new DomainEvent.PresenceChanged(List.of(5L)))) {
            assertThat(thisNode.isOwn(thisNode.encode(event))).as(event.toString()).isTrue();
            assertThat(thisNode.isOwn(otherNode.encode(event))).as(event.toString()).isFalse();
        }
    }

    @Test
    void aUsersSessionsRevokedDecodeOnAnotherNodeWithTheKeptTokenOrNone() {
        for (byte[] kept : new byte[][] {new byte[] {9, 8, 7}, null}) {
            BusCodec.Decoded decoded = otherNode.decode(thisNode.encode(new DomainEvent.UserSessionsRevoked(5, kept)));
            DomainEvent.UserSessionsRevoked revoked = (DomainEvent.UserSessionsRevoked)
                    ((BusCodec.Decoded.Event) decoded).event();
            assertThat(revoked.userId()).isEqualTo(5);
            assertThat(revoked.keptTokenHash()).isEqualTo(kept);
        }
    }

    @Test
    void typingAndPresenceChangesDecodeOnAnotherNodeAsPublished() {
        for (DomainEvent event : List.of(new DomainEvent.Typing(3, 5),
                new DomainEvent.PresenceChanged(List.of(5L, 6L, 7L)))) {
            assertThat(otherNode.decode(thisNode.encode(event))).as(event.toString())
                    .isEqualTo(new BusCodec.Decoded.Event(event));
        }
    }

    @Test
    void aPresenceChangeOfAsManyUsersAsOneMayNameFitsANotification() {
        List<Long> users = java.util.stream.LongStream.range(0, DomainEvent.PresenceChanged.MAX_USERS)
                .map(i -> Long.MAX_VALUE - i).boxed().toList();

        byte[] payload = thisNode.encode(new DomainEvent.PresenceChanged(users));

        assertThat(payload.length).isLessThanOrEqualTo(7_900);
        assertThat(otherNode.decode(payload)).isEqualTo(new BusCodec.Decoded.Event(new DomainEvent.PresenceChanged(users)));
    }

    @Test
    void aPayloadWithoutOriginIsNeverTakenForOwn() {
        byte[] older = "{\"k\":\"r\",\"c\":3,\"s\":12,\"u\":5}".getBytes(StandardCharsets.UTF_8);

        assertThat(thisNode.isOwn(older)).isFalse();
        assertThat(thisNode.decode(older)).isEqualTo(new BusCodec.Decoded.Event(new DomainEvent.ReadMarkerMoved(3, 5, 12)));
    }

    @Test
    void aMessageDecodesOnAnotherNodeAsItWasStored() {
        BusCodec.Decoded decoded = otherNode.decode(thisNode.encode(new DomainEvent.MessageStored(MESSAGE)));

        assertThat(decoded).isEqualTo(new BusCodec.Decoded.Event(new DomainEvent.MessageStored(MESSAGE)));
    }

    @Test
    void aChangedMessageDecodesOnAnotherNodeAsTheChangeLeftIt() {
        Message edited = new Message(7, 3, 12, 5, MESSAGE.clientMsgId(), "edited @ann", MESSAGE.createdAt(),
                Instant.parse("2026-11-26T03:31:00.5Z"), null, 9L, List.of(6L),
                List.of(new Reaction("\uD83D\uDC4D", List.of(5L, 6L)), new Reaction("🎉", List.of(6L))), 4);
        Message deleted = new Message(7, 3, 12, 5, MESSAGE.clientMsgId(), "", MESSAGE.createdAt(),
                Instant.parse("2026-11-26T03:31:00.5Z"), Instant.parse("2026-11-26T03:32:00Z"), 9L, List.of(),
                List.of(), 5);

        for (Message changed : List.of(edited, deleted)) {
            BusCodec.Decoded decoded = otherNode.decode(thisNode.encode(new DomainEvent.MessageChanged(changed)));

            assertThat(decoded).isEqualTo(new BusCodec.Decoded.Event(new DomainEvent.MessageChanged(changed)));
        }
    }

    @Test
    void aChangedMessageTooLargeForThePayloadLimitTravelsAsItsChangeSeqAndIsReadByTheListener() {
        BusCodec small = new BusCodec(200);
        Message large = new Message(8, 3, 13, 5, UUID.randomUUID(), "x".repeat(500), MESSAGE.createdAt(),
                MESSAGE.createdAt(), null, null, List.of(), List.of(), 41);
        List<String> heard = new ArrayList<>();

        byte[] payload = small.encode(new DomainEvent.MessageChanged(large));
        BusCodec.deliver(otherNode.decode(payload), new Recording(heard));

        assertThat(payload.length).isLessThanOrEqualTo(200);
        assertThat(otherNode.decode(payload)).isEqualTo(new BusCodec.Decoded.ChangeReference(3, 41));
        assertThat(heard).containsExactly("changed 3/41");
    }

    @Test
    void aChangeStoredApartIsNamedByASmallPayloadThatStandsForItsChangeWhereItIsNotRead() {
        BusCodec small = new BusCodec(200);
        Message large = new Message(8, 3, 13, 5, UUID.randomUUID(), "x".repeat(500), MESSAGE.createdAt(),
                MESSAGE.createdAt(), null, null, List.of(), List.of(), 41);
        DomainEvent.MessageChanged changed = new DomainEvent.MessageChanged(large);
        List<String> heard = new ArrayList<>();

        byte[] whole = small.encodeWhole(changed);
        byte[] naming = small.encodeStored(77, changed);
        BusCodec.deliver(otherNode.decode(naming), new Recording(heard));

        assertThat(otherNode.decode(whole)).isEqualTo(new BusCodec.Decoded.Event(changed));
        assertThat(naming.length).isLessThanOrEqualTo(200);
        assertThat(small.isOwn(naming)).isTrue();
        assertThat(otherNode.decode(naming)).isEqualTo(new BusCodec.Decoded.StoredPayload(77, 3, 41));
        assertThat(heard).containsExactly("changed 3/41");
    }

    @Test
    void aMessageFieldANewerNodeAddsIsIgnoredAndListsLeftOutAreEmpty() {
        byte[] newer = ("{\"o\":\"abc\",\"k\":\"m\",\"m\":{\"id\":7,\"conversationId\":3,\"seq\":12,"
                + "\"senderId\":5,\"clientMsgId\":\"" + MESSAGE.clientMsgId() + "\",\"body\":\"hi\","
                + "\"createdAt\":\"2026-11-26T03:30:00.123456Z\",\"pinned\":true}}").getBytes(StandardCharsets.UTF_8);

        assertThat(thisNode.decode(newer)).isEqualTo(new BusCodec.Decoded.Event(new DomainEvent.MessageStored(
                new Message(7, 3, 12, 5, MESSAGE.clientMsgId(), "hi", MESSAGE.createdAt()))));
    }

    @Test
    void aMessageTooLargeForThePayloadLimitTravelsAsAReference() {
        BusCodec small = new BusCodec(200);
        Message large = new Message(8, 3, 13, 5, UUID.randomUUID(), "x".repeat(500), MESSAGE.createdAt());

        byte[] payload = small.encode(new DomainEvent.MessageStored(large));

        assertThat(payload.length).isLessThanOrEqualTo(200);
        assertThat(small.isOwn(payload)).isTrue();
        assertThat(otherNode.decode(payload)).isEqualTo(new BusCodec.Decoded.MessageReference(3, 13));
    }

    @Test
    void aBatchDecodesAndIsDeliveredAsItsEventsInTheirOrderInOneHandOver() {
        byte[] batch = ("{\"o\":\"abc\",\"k\":\"b\",\"e\":[{\"k\":\"m\",\"m\":{\"id\":7,\"conversationId\":3,\"seq\":12,"
                + "\"senderId\":5,\"clientMsgId\":\"" + MESSAGE.clientMsgId() + "\",\"body\":\"hi\","
                + "\"createdAt\":\"2026-11-26T03:30:00.123456Z\"}},{\"k\":\"M\",\"c\":3,\"s\":13}]}")
                .getBytes(StandardCharsets.UTF_8);
        List<String> heard = new ArrayList<>();

        BusCodec.Decoded decoded = thisNode.decode(batch);
        BusCodec.deliver(decoded, new Recording(heard));

        Message first = new Message(7, 3, 12, 5, MESSAGE.clientMsgId(), "hi", MESSAGE.createdAt());
        assertThat(decoded).isEqualTo(new BusCodec.Decoded.Batch(List.of(
                new BusCodec.Decoded.Event(new DomainEvent.MessageStored(first)),
                new BusCodec.Decoded.MessageReference(3, 13))));
        assertThat(heard).containsExactly("together", "event " + new DomainEvent.MessageStored(first), "committed 3/13",
                "apart");
    }

    @Test
    void fieldsANewerNodeAddsAreIgnored() {
        byte[] newer = "{\"o\":\"abc\",\"k\":\"r\",\"c\":3,\"s\":12,\"u\":5,\"z\":[1,2]}".getBytes(StandardCharsets.UTF_8);

        assertThat(thisNode.decode(newer)).isEqualTo(new BusCodec.Decoded.Event(new DomainEvent.ReadMarkerMoved(3, 5, 12)));
    }

    /** Writes down what the bus hands over. */
    private record Recording(List<String> heard) implements BusListener {
        @Override
        public void onEvent(DomainEvent event) {
            heard.add("event " + event);
        }

        @Override
        public void onMessageCommitted(long conversationId, long seq) {
            heard.add("committed " + conversationId + "/" + seq);
        }

        @Override
        public void onMessageChangeCommitted(long conversationId, long changeSeq) {
            heard.add("changed " + conversationId + "/" + changeSeq);
        }

        @Override
        public void onPossibleLoss() {
            heard.add("loss");
        }

        @Override
        public void together(Runnable handOver) {
            heard.add("together");
            handOver.run();
            heard.add("apart");
        }
    }
}
