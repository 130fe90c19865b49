package dev.courier.loadtest.generator;

import java.util.Optional;
import java.util.UUID;

/**
 * The clientMsgIds of one run. Each is a UUID whose first 64 bits are random and shared by the whole run, whose
 * last 48 bits (the last 12 hex digits) carry the send's intended time, in nanoseconds after the origin, and whose
 * 14 bits between (after the variant) carry how late the generator actually sent it, in units of 50 µs: a frame's
 * clientMsgId gives back both times by a parse, where a map from clientMsgId to the times grew by one string per
 * send for the whole run and was looked up on every delivery.
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
    /** Lateness is kept in these units; beyond {@link #MAX_LATE_UNITS} of them it saturates. */
    static final long LATE_UNIT_NANOS = 50_000;
    static final long MAX_LATE_UNITS = (1L << 14) - 1;
    private static final long VARIANT_BITS = 3L << 62;
    private static final long SCRAMBLE = 0x9E3779B97F4A7C15L;
    private static final long UNSCRAMBLE = inverse(SCRAMBLE);
    /** Where the run's shared part of the text ends and the 4 hex digits of variant and lateness begin. */
    private static final int LATE_AT = 19;
    /** Where the 12 hex digits of the offset begin. */
    private static final int OFFSET_AT = 24;

    private final long originNanos;
    private final long mostSignificant;
    private final long variant;
    private final String runPrefix;

    /** When a send was meant to go out, and when the generator sent it ({@link System#nanoTime()} terms). */
    record Times(long intendedNanos, long sentNanos) {
    }

    /** {@code runPart} gives the first 64 bits of every id and its variant (of a random UUID, its version too). */
    ClientMsgIds(long originNanos, UUID runPart) {
        this.originNanos = originNanos;
        this.mostSignificant = runPart.getMostSignificantBits();
        this.variant = runPart.getLeastSignificantBits() & VARIANT_BITS;
        this.runPrefix = new UUID(mostSignificant, variant).toString().substring(0, LATE_AT);
    }

    /** Ids for a run whose sends are all intended after now. */
    static ClientMsgIds startingNow() {
        return new ClientMsgIds(System.nanoTime(), UUID.randomUUID());
    }

    /**
     * The clientMsgId of the send intended at {@code intendedNanos} and sent at {@code sentNanos}. A send more than
     * {@link #MAX_LATE_UNITS} units late carries that many, so that a latency counted from its send time is then an
     * upper bound.
     */
    String of(long intendedNanos, long sentNanos) {
        long offset = intendedNanos - originNanos;
        if (offset < 0 || offset > MAX_OFFSET_NANOS) {
            throw new IllegalArgumentException("a send intended " + offset + " ns after the origin has no clientMsgId");
        }
        long late = Math.clamp((sentNanos - intendedNanos) / LATE_UNIT_NANOS, 0, MAX_LATE_UNITS);
        return new UUID(mostSignificant, variant | late << 48 | (offset * SCRAMBLE & MAX_OFFSET_NANOS)).toString();
    }

    /** Both times a clientMsgId of this run carries; empty for any other text. */
    Optional<Times> timesOf(String clientMsgId) {
        if (clientMsgId.length() != OFFSET_AT + 12 || !clientMsgId.startsWith(runPrefix)
                || clientMsgId.charAt(OFFSET_AT - 1) != '-') {
            return Optional.empty();
        }
        long lateField = hex(clientMsgId, LATE_AT, OFFSET_AT - 1);
        long scrambled = hex(clientMsgId, OFFSET_AT, clientMsgId.length());
        if (lateField < 0 || scrambled < 0 || (lateField << 48 & VARIANT_BITS) != variant) {
            return Optional.empty();
        }
        long intended = originNanos + (scrambled * UNSCRAMBLE & MAX_OFFSET_NANOS);
        return Optional.of(new Times(intended, intended + (lateField & MAX_LATE_UNITS) * LATE_UNIT_NANOS));
    }

    /** The hex digits of {@code text} from {@code from} to {@code to} as a number; -1 if one is not a digit. */
    private static long hex(String text, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0) {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
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
