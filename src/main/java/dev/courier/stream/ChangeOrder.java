package dev.courier.stream;

import dev.courier.messages.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One conversation's changes on their way to this node's streams, put in changeSeq order. Changes can arrive out of
 * order: two nodes publish on the bus independently, and a node's own change may reach its hub a moment after
 * another node's later one. A change that arrives early is held until the ones before it arrive, and when they do
 * not arrive in time the hub reads the gap from the table ({@link #filled}): a message's row there holds exactly
 * the state its last change left, so a change is lost from a stream only when its message changed again since.
 *
 * <p>Not thread-safe: the hub holds the conversation's change lock around every call.
 */
final class ChangeOrder {

    /** Where the conversation's changes stood is not known yet: the first change heard decides. */
    static final long UNKNOWN = -1;

    private long delivered;
    private final TreeMap<Long, Message> early = new TreeMap<>();

    ChangeOrder(long delivered) {
        this.delivered = delivered;
    }

    /** The last change handed out, or {@link #UNKNOWN}. */
    long delivered() {
        return delivered;
    }

    /** Learns where the conversation's changes stand, unless known already: everything up to it counts as delivered. */
    void learn(long lastChangeSeq) {
        if (delivered == UNKNOWN) {
            delivered = lastChangeSeq;
        }
    }

    /** Whether changes are held for the ones before them. */
    boolean waiting() {
        return !early.isEmpty();
    }

    /** How far a read of the table closes every gap: the newest held change, or at least {@code upTo}. */
    long gapEnd(long upTo) {
        return early.isEmpty() ? upTo : Math.max(upTo, early.lastKey());
    }

    /**
     * A change, as the bus or this node brought it. Returns the changes due now, in order: it and the held ones that
     * follow it; nothing when it was handed out before, or when it came early (then it is held).
     */
    List<Message> arrived(Message change) {
        long changeSeq = change.changeSeq();
        learn(changeSeq - 1);
        if (changeSeq <= delivered) {
            return List.of();
        }
        if (changeSeq > delivered + 1) {
            early.put(changeSeq, change);
            return List.of();
        }
        List<Message> due = new ArrayList<>();
        due.add(change);
        delivered = changeSeq;
        takeFollowing(due);
        return due;
    }

    /**
     * The table was read for the changes after {@link #delivered} up to {@code upTo}: {@code fromTable} are the
     * messages whose last change is in that range, ascending. Returns the changes due now, in order, those held
     * included; everything up to {@code upTo} counts as delivered.
     */
    List<Message> filled(long upTo, List<Message> fromTable) {
        TreeMap<Long, Message> due = new TreeMap<>();
        for (Message message : fromTable) {
            if (message.changeSeq() > delivered && message.changeSeq() <= upTo) {
                due.put(message.changeSeq(), message);
            }
        }
        // a held change is the same state the table has for it, or one the table no longer has
        due.putAll(early.headMap(upTo, true));
        early.headMap(upTo, true).clear();
        delivered = Math.max(delivered, upTo);
        List<Message> inOrder = new ArrayList<>(due.values());
        takeFollowing(inOrder);
        return inOrder;
    }

    /** Adds to {@code due} the held changes that now follow without a gap. */
    private void takeFollowing(List<Message> due) {
        while (!early.isEmpty() && early.firstKey() == delivered + 1) {
            due.add(early.pollFirstEntry().getValue());
            delivered++;
        }
        early.headMap(delivered, true).clear();
    }
}
