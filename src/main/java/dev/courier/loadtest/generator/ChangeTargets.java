package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.VirtualUser;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a run's changes may change: the messages it had acknowledged lately in each conversation, and the reactions
 * it has given, so that every reaction it makes is a change (one given twice, or taken back when it was never given,
 * would change nothing). A reaction whose answer never came may or may not have been made: its emoji is not used on
 * that message by that member again.
 *
 * <p>Thread-safe: acks arrive on the senders' threads, choices are made on the pacer's.
 */
final class ChangeTargets {

    /** The emoji reacted with: fewer than a message's limit of 20. */
    static final List<String> EMOJI = List.of("👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀");
    /** Acknowledged messages remembered per conversation: the latest ones, as people react to what is recent. */
    private static final int RECENT = 16;

    /** A message a change can target, and who sent it (who alone may edit it). */
    record Target(long seq, VirtualUser sender) {
    }

    private record ReactionKey(long conversationId, long seq, long userId, String emoji) {
    }

    /** The latest acknowledged messages of one conversation, newest overwriting oldest. */
    private static final class Recent {
        private final Target[] targets = new Target[RECENT];
        private long count;

        synchronized void add(Target target) {
            targets[(int) (count++ % RECENT)] = target;
        }

        synchronized Target any() {
            return count == 0 ? null : targets[ThreadLocalRandom.current().nextInt((int) Math.min(count, RECENT))];
        }
    }

    private final Map<Long, Recent> recent = new ConcurrentHashMap<>();
    private final Set<ReactionKey> given = ConcurrentHashMap.newKeySet();
    /** Reactions waiting for their answer, and those whose answer never came. */
    private final Set<ReactionKey> unsettled = ConcurrentHashMap.newKeySet();

    /** Message {@code seq} of the conversation, sent by {@code sender}, was acknowledged. */
    void acked(long conversationId, long seq, VirtualUser sender) {
        recent.computeIfAbsent(conversationId, id -> new Recent()).add(new Target(seq, sender));
    }

    /** A recent acknowledged message of the conversation, or empty while it has none. */
    Optional<Target> anyRecent(long conversationId) {
        Recent r = recent.get(conversationId);
        return Optional.ofNullable(r == null ? null : r.any());
    }

    /**
     * A reaction by {@code member} to {@code target}: the first emoji, from a random one on, whose last reaction was
     * answered; given when it is not there, taken back when it is. Empty when none is settled.
     */
    Optional<OutgoingChange.Reaction> reaction(long conversationId, Target target, VirtualUser member) {
        int first = ThreadLocalRandom.current().nextInt(EMOJI.size());
        for (int i = 0; i < EMOJI.size(); i++) {
            String emoji = EMOJI.get((first + i) % EMOJI.size());
            ReactionKey key = new ReactionKey(conversationId, target.seq(), member.id(), emoji);
            if (unsettled.add(key)) {
                return Optional.of(new OutgoingChange.Reaction(conversationId, target.seq(), member, emoji,
                        given.contains(key)));
            }
        }
        return Optional.empty();
    }

    /** The server answered {@code reaction}: whether it was made. One that got no answer stays unsettled. */
    void answered(OutgoingChange.Reaction reaction, boolean made) {
        ReactionKey key = new ReactionKey(reaction.conversationId(), reaction.seq(), reaction.actor().id(),
                reaction.emoji());
        if (made) {
            if (reaction.takeBack()) {
                given.remove(key);
            } else {
                given.add(key);
            }
        }
        unsettled.remove(key);
    }
}
