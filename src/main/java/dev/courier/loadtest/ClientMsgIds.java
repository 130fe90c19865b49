package dev.courier.loadtest;

import java.util.OptionalLong;
import java.util.UUID;

/**
 * The clientMsgIds of one run. Each is a UUID whose first 80 bits are random and shared by the whole run and whose
 * last 48 bits (the last 12 hex digits) carry the send's intended time, in nanoseconds after the origin: a frame's
 * clientMsgId gives back the time its latency counts from by a parse, where a map from clientMsgId to intended
 * time grew by one string per send for the whole run and was looked up on every delivery.
 *
 * <p>Unique within a run because no two sends share an intended time ({@link ArrivalSchedule} moves on by at least
 * a nanosecond per arrival), and the server asks no more: it keys idempotency by sender, and a run's senders are
 * its own new users. 48 bits of nanoseconds last 78 hours, beyond the longest run and its setup.
 *
 * <p>The 48 bits are the offset times an odd constant modulo 2^48 (a bijection), not the offset itself: successive
 * ids then spread over the server's (sender, clientMsgId) index as real clients' random UUIDs do, instead of each
 * landing after the last at the index's end, which would make the server's work cheaper than it is.
 */
final class ClientMsgIds {

    static final long MAX_OFFSET_NANOS = (1L << 48) - 1;
    private static final long SCRAMBLE = 0x9E3779B97F4A7C15L;
    private static final long UNSCRAMBLE = inverse(SCRAMBLE);
    /** Where the run's shared part of the text ends and the 12 hex digits of the offset begin. */
    private static final int OFFSET_AT = 24;

    private final long originNanos;
    private final long mostSignificant;
    private final long leastSignificantHigh;
    private final String runPrefix;

    /** {@code runPart} gives the first 80 bits of every id (of a random UUID, its version and variant too). */
    ClientMsgIds(long originNanos, UUID runPart) {
        this.originNanos = originNanos;
        this.mostSignificant = runPart.getMostSignificantBits();
        this.leastSignificantHigh = runPart.getLeastSignificantBits() & ~MAX_OFFSET_NANOS;
        this.runPrefix = new UUID(mostSignificant, leastSignificantHigh).toString().substring(0, OFFSET_AT);
    }

    /** Ids for a run whose sends are all intended after now. */
    static ClientMsgIds startingNow() {
        return new ClientMsgIds(System.nanoTime(), UUID.randomUUID());
    }

    /** The clientMsgId of the send intended at {@code intendedNanos} ({@link System#nanoTime()} terms). */
    String of(long intendedNanos) {
        long offset = intendedNanos - originNanos;
        if (offset < 0 || offset > MAX_OFFSET_NANOS) {
            throw new IllegalArgumentException("a send intended " + offset + " ns after the origin has no clientMsgId");
        }
        return new UUID(mostSignificant, leastSignificantHigh | (offset * SCRAMBLE & MAX_OFFSET_NANOS)).toString();
    }

    /** The intended time a clientMsgId of this run carries; empty for any other text. */
    OptionalLong intendedNanosOf(String clientMsgId) {
        if (clientMsgId.length() != OFFSET_AT + 12 || !clientMsgId.startsWith(runPrefix)) {
            return OptionalLong.empty();
        }
        long scrambled = 0;
        for (int i = OFFSET_AT; i < clientMsgId.length(); i++) {
            int digit = Character.digit(clientMsgId.charAt(i), 16);
            if (digit < 0) {
                return OptionalLong.empty();
            }
            scrambled = scrambled << 4 | digit;
        }
        return OptionalLong.of(originNanos + (scrambled * UNSCRAMBLE & MAX_OFFSET_NANOS));
    }

    /** The inverse of an odd number modulo 2^64: each Newton step doubles the correct low bits (3 to start). */
    private static long inverse(long odd) {
        long x = odd;
        for (int i = 0; i < 5; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }
}
