package dev.courier.loadtest.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ClientMsgIdsTest {

    private static final long ORIGIN = -5_000_000_000L; // nanoTime may be negative
    private static final UUID RUN = UUID.fromString("3f2a9c1b-44de-4a7b-9c21-0123456789ab");
    private final ClientMsgIds ids = new ClientMsgIds(ORIGIN, RUN);

    @Test
    void anIdGivesBackTheIntendedTimeItWasMadeFor() {
        for (long offset : new long[] {0, 1, 200_000, 86_400_000_000_000L, ClientMsgIds.MAX_OFFSET_NANOS}) {
            assertThat(ids.timesOf(ids.of(ORIGIN + offset, ORIGIN + offset)))
                    .hasValue(new ClientMsgIds.Times(ORIGIN + offset, ORIGIN + offset));
        }
    }

    @Test
    void anIdGivesBackWhenItWasActuallySentTo50MicrosecondsAndSaturatesPastWhatItsBitsHold() {
        long intended = ORIGIN + 7_000_000_123L;
        assertThat(ids.timesOf(ids.of(intended, intended + 3_217_000))).get()
                .isEqualTo(new ClientMsgIds.Times(intended, intended + 3_200_000));
        long limit = ClientMsgIds.MAX_LATE_UNITS * ClientMsgIds.LATE_UNIT_NANOS;
        assertThat(ids.timesOf(ids.of(intended, intended + 5 * limit))).get()
                .isEqualTo(new ClientMsgIds.Times(intended, intended + limit));
        assertThat(ids.timesOf(ids.of(intended, intended - 1_000))).as("a send before its time counts as on time")
                .get().isEqualTo(new ClientMsgIds.Times(intended, intended));
    }

    @Test
    void idsAreCanonicalUuidsThatKeepTheRunsRandomPart() {
        String id = ids.of(ORIGIN + 123_456_789, ORIGIN + 133_456_789);

        assertThat(id).hasSize(36).isEqualTo(UUID.fromString(id).toString()).startsWith("3f2a9c1b-44de-4a7b-");
        assertThat(UUID.fromString(id).version()).isEqualTo(4);
        assertThat(UUID.fromString(id).variant()).isEqualTo(2);
    }

    @Test
    void textThatIsNotAnIdOfThisRunCarriesNoTime() {
        String ofAnotherRun = new ClientMsgIds(ORIGIN, UUID.randomUUID()).of(ORIGIN + 5, ORIGIN + 5);

        assertThat(ids.timesOf(ofAnotherRun)).isEmpty();
        assertThat(ids.timesOf(UUID.randomUUID().toString())).isEmpty();
        assertThat(ids.timesOf("3f2a9c1b-44de-4a7b-9c21-0123456789zz")).isEmpty();
        assertThat(ids.timesOf("3f2a9c1b-44de-4a7b-zc21-0123456789ab")).isEmpty();
        assertThat(ids.timesOf("3f2a9c1b-44de-4a7b-1c21-0123456789ab")).as("not this run's variant").isEmpty();
        assertThat(ids.timesOf("c-1")).isEmpty();
        assertThat(ids.timesOf("")).isEmpty();
    }

    @Test
    void successiveSendsGetIdsSpreadOverTheRangeAsRandomUuidsWould() {
        // The server indexes (sender, clientMsgId): ids that only grew would all be inserted at the index's end.
        List<String> sent = new ArrayList<>();
        int newHighest = 0;
        for (int i = 0; i < 1_000; i++) {
            String id = ids.of(ORIGIN + i * 200_000L, ORIGIN + i * 200_000L);
            if (sent.stream().allMatch(earlier -> id.compareTo(earlier) > 0)) {
                newHighest++;
            }
            sent.add(id);
        }

        assertThat(newHighest).isLessThan(50);
        assertThat(sent.stream().map(id -> id.charAt(24)).distinct()).hasSize(16);
    }

    @Test
    void aSendIntendedBeforeTheOriginOrPastWhatFortyEightBitsHoldHasNoId() {
        assertThatThrownBy(() -> ids.of(ORIGIN - 1, ORIGIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ids.of(ORIGIN + ClientMsgIds.MAX_OFFSET_NANOS + 1, ORIGIN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
