package dev.courier.messages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.courier.web.ApiException;
import dev.courier.web.Json;
import dev.courier.web.TextRules;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of a message's reactions: which emoji are allowed, adding and taking back one user's reaction, and their
 * stored form (the {@code reactions} column, JSON as the contract shows it). Each change returns the new list, or
 * null when it changes nothing (a reaction given twice, or taken back when it was never given): a change that changes
 * nothing raises no change counter and tells nobody.
 */
final class Reactions {

    static final int MAX_EMOJI_PER_MESSAGE = 20;
    static final int MAX_EMOJI_CODE_POINTS = 8;

    private static final TypeReference<List<Reaction>> STORED = new TypeReference<>() {
    };

    private Reactions() {
    }

    /** {@code emoji} when it is 1-8 code points of well-formed text without white space; otherwise validation_failed. */
    static String requireValidEmoji(String emoji) {
        TextRules.requireLength("emoji", emoji, 1, MAX_EMOJI_CODE_POINTS);
        for (int i = 0; i < emoji.length(); ) {
            int cp = emoji.codePointAt(i);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)) {
                throw ApiException.invalid("emoji", "emoji must not contain white space or control characters");
            }
            i += Character.charCount(cp);
        }
        return emoji;
    }

    /** {@code current} with {@code userId}'s {@code emoji} added, or null when it is there already. */
    static List<Reaction> added(List<Reaction> current, String emoji, long userId) {
        List<Reaction> next = new ArrayList<>(current.size() + 1);
        boolean found = false;
        for (Reaction reaction : current) {
            if (reaction.emoji().equals(emoji)) {
                if (reaction.userIds().contains(userId)) {
                    return null;
                }
                List<Long> users = new ArrayList<>(reaction.userIds());
                users.add(userId);
                next.add(new Reaction(emoji, users));
                found = true;
            } else {
                next.add(reaction);
            }
        }
        if (!found) {
            if (current.size() >= MAX_EMOJI_PER_MESSAGE) {
                throw ApiException.invalid("emoji", "a message has at most " + MAX_EMOJI_PER_MESSAGE
                        + " different emoji");
            }
            next.add(new Reaction(emoji, List.of(userId)));
        }
        return next;
    }

    /**
     * {@code current} without {@code userId}'s {@code emoji}, or null when it was not there. An emoji nobody reacts
     * with any more leaves the list; used again, it goes last.
     */
    static List<Reaction> removed(List<Reaction> current, String emoji, long userId) {
        List<Reaction> next = new ArrayList<>(current.size());
        boolean found = false;
        for (Reaction reaction : current) {
            if (reaction.emoji().equals(emoji) && reaction.userIds().contains(userId)) {
                found = true;
                List<Long> users = new ArrayList<>(reaction.userIds());
                users.remove(Long.valueOf(userId));
                if (!users.isEmpty()) {
                    next.add(new Reaction(emoji, users));
                }
            } else {
                next.add(reaction);
            }
        }
        return found ? next : null;
    }

    static List<Reaction> parse(String stored) {
        if (stored == null || stored.equals("[]")) {
            return List.of(); // nearly every message: no parse
        }
        try {
            return Json.mapper().readValue(stored, STORED);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored reactions do not parse", e);
        }
    }

    static String stored(List<Reaction> reactions) {
        return Json.write(reactions);
    }
}
