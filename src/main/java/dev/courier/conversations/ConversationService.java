package dev.courier.conversations;

import dev.courier.accounts.UserStore;
import dev.courier.db.Database;
import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import dev.courier.web.ApiException;
import dev.courier.web.ErrorCode;
import dev.courier.web.TextRules;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/** Creating conversations, listing them, and changing group membership. Every access checks membership. */
public final class ConversationService {

    public static final int MAX_MEMBERS = 1_000;

    /** A created-or-found conversation; {@code created} is false when a direct conversation already existed. */
    public record Opened(Conversation conversation, boolean created) {
    }

    /** One page of the caller's conversations; {@code next} is null on the last page. */
    public record Page(List<Conversation> conversations, String next) {
    }

    private final Database db;
    private final ConversationStore store;
    private final UserStore users;
    private final EventSink events;

    public ConversationService(Database db, ConversationStore store, UserStore users, EventSink events) {
        this.db = db;
        this.store = store;
        this.users = users;
        this.events = events;
    }

    public Opened openDirect(long callerId, List<Long> members) {
        if (members.size() != 1) {
            throw ApiException.invalid("members", "a direct conversation has exactly one other member");
        }
        long other = members.getFirst();
        if (other == callerId) {
            throw ApiException.invalid("members", "a direct conversation needs another user");
        }
        long lo = Math.min(callerId, other);
        long hi = Math.max(callerId, other);
        Opened opened = db.inTransaction("conversations.openDirect", h -> {
            if (users.byIds(h, List.of(other)).isEmpty()) {
                throw ApiException.invalid("members", "unknown user id " + other);
            }
            OptionalLong inserted = store.insertDirect(h, lo, hi);
            long id;
            if (inserted.isPresent()) {
                id = inserted.getAsLong();
                store.addMembers(h, id, List.of(lo, hi));
            } else {
                id = store.directBetween(h, lo, hi);
            }
            return new Opened(store.view(h, id, callerId).orElseThrow(), inserted.isPresent());
        });
        if (opened.created()) {
            events.publish(new DomainEvent.ConversationChanged(opened.conversation().id(), List.of(lo, hi)));
        }
        return opened;
    }

    public Conversation createGroup(long callerId, String title, List<Long> members) {
        TextRules.requireLength("title", title, 1, 100);
        Set<Long> memberIds = new LinkedHashSet<>();
        memberIds.add(callerId);
        memberIds.addAll(members);
        if (memberIds.size() > MAX_MEMBERS) {
            throw ApiException.invalid("members", "a group has at most " + MAX_MEMBERS + " members");
        }
        Conversation created = db.inTransaction("conversations.createGroup", h -> {
            if (users.byIds(h, memberIds).size() != memberIds.size()) {
                throw ApiException.invalid("members", "members contains an unknown user id");
            }
            long id = store.insertGroup(h, title, callerId);
            store.addMembers(h, id, memberIds);
            return store.view(h, id, callerId).orElseThrow();
        });
        events.publish(new DomainEvent.ConversationChanged(created.id(), created.memberIds()));
        return created;
    }

    public Conversation get(long callerId, long conversationId) {
        return db.withHandle("conversations.get", h -> store.view(h, conversationId, callerId))
                .orElseThrow(ConversationService::notFound);
    }

    public Page list(long callerId, String cursor, int limit) {
        ConversationCursor after = cursor == null ? null : ConversationCursor.decode(cursor);
        return db.inTransaction("conversations.list", h -> {
            List<ConversationStore.Row> rows = store.page(h, callerId, after, limit + 1);
            boolean more = rows.size() > limit;
            List<ConversationStore.Row> page = more ? rows.subList(0, limit) : rows;
            Map<Long, ConversationStore.Members> members = page.isEmpty() ? Map.of()
                    : store.members(h, page.stream().map(ConversationStore.Row::id).toList());
            List<Conversation> conversations = new ArrayList<>(page.size());
            for (ConversationStore.Row row : page) {
                conversations.add(row.withMembers(members.getOrDefault(row.id(), ConversationStore.Members.NONE)));
            }
            String next = more ? new ConversationCursor(page.getLast().lastActivityAt(), page.getLast().id()).encode()
                    : null;
            return new Page(conversations, next);
        });
    }

    public Conversation addMember(long callerId, long conversationId, long userId) {
        record Added(Conversation conversation, boolean changed) {
        }
        Added added = db.inTransaction("conversations.addMember", h -> {
            ConversationStore.Row row = store.lockForMembershipChange(h, conversationId)
                    .filter(r -> store.isMember(h, conversationId, callerId))
                    .orElseThrow(ConversationService::notFound);
            requireGroup(row);
            if (users.byIds(h, List.of(userId)).isEmpty()) {
                throw ApiException.invalid("userId", "unknown user id " + userId);
            }
            if (!store.isMember(h, conversationId, userId) && store.memberCount(h, conversationId) >= MAX_MEMBERS) {
                throw ApiException.invalid("userId", "a group has at most " + MAX_MEMBERS + " members");
            }
            boolean changed = store.addMembers(h, conversationId, List.of(userId)) > 0;
            return new Added(store.view(h, conversationId, callerId).orElseThrow(), changed);
        });
        if (added.changed()) {
            events.publish(new DomainEvent.ConversationChanged(conversationId, added.conversation().memberIds()));
        }
        return added.conversation();
    }

    public void removeMember(long callerId, long conversationId, long userId) {
        List<Long> affected = db.inTransaction("conversations.removeMember", h -> {
            ConversationStore.Row row = store.lockForMembershipChange(h, conversationId)
                    .filter(r -> store.isMember(h, conversationId, callerId))
                    .orElseThrow(ConversationService::notFound);
            requireGroup(row);
            if (userId != callerId && (row.ownerId() == null || row.ownerId() != callerId)) {
                throw ApiException.of(ErrorCode.FORBIDDEN, "only the owner may remove other members");
            }
            List<Long> before = store.memberIds(h, conversationId);
            if (!store.removeMember(h, conversationId, userId)) {
                throw ApiException.notFound("user " + userId + " is not a member");
            }
            if (row.ownerId() != null && row.ownerId() == userId) {
                store.passOwnership(h, conversationId);
            }
            return before;
        });
        events.publish(new DomainEvent.ConversationChanged(conversationId, affected));
    }

    private static void requireGroup(ConversationStore.Row row) {
        if (!Conversation.GROUP.equals(row.type())) {
            // No input field is at fault (the request names no type), so the error names none.
            throw ApiException.of(ErrorCode.VALIDATION_FAILED, "members can change only in a group conversation");
        }
    }

    /** Member ids of a conversation, ascending; empty when it does not exist. For routing events, not for callers. */
    public List<Long> memberIds(long conversationId) {
        return db.withHandle("stream.members", h -> store.memberIds(h, conversationId));
    }

    /** Whether {@code userId} is a member of the conversation; false when it does not exist. For the stream. */
    public boolean isMember(long conversationId, long userId) {
        return db.withHandle("stream.isMember", h -> store.isMember(h, conversationId, userId));
    }

    /**
     * For each of {@code userIds}, the other users who share at least one conversation with them: who may see their
     * presence. Users who share none are absent.
     */
    public Map<Long, List<Long>> peersOf(java.util.Collection<Long> userIds) {
        return db.withHandle("stream.peers", h -> store.peersOf(h, userIds));
    }

    /** Each conversation's counters, by id; ids that do not exist are absent. */
    public Map<Long, ConversationStore.Counters> counters(java.util.Collection<Long> conversationIds) {
        return db.withHandle("stream.lastSeqs", h -> store.counters(h, conversationIds));
    }

    /**
     * Of each user given, the counters of every conversation the user is a member of, by conversation id, in one
     * statement; a user in no conversation is absent.
     */
    public Map<Long, Map<Long, ConversationStore.Counters>> countersOfMembers(java.util.Collection<Long> userIds) {
        return db.withHandle("stream.lastSeqsOfMember", h -> store.countersOfMembers(h, userIds));
    }

    static ApiException notFound() {
        return ApiException.of(ErrorCode.NOT_FOUND, "no such conversation");
    }
}
