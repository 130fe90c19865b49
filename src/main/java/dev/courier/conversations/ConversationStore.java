package dev.courier.conversations;

import dev.courier.accounts.User;
import dev.courier.accounts.UserStore;
import dev.courier.presence.PresenceStore;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;

/** SQL for {@code conversations} and {@code memberships}. Runs on a handle lent by the caller's transaction. */
public final class ConversationStore {

    /** One conversation row joined with the caller's membership, before members are attached. */
    record Row(long id, String type, String title, Long ownerId, Instant createdAt, Instant lastActivityAt,
               long lastSeq, long readSeq, long unread, long unreadMentions, long lastChangeSeq) {

        Conversation withMembers(Members members) {
            return new Conversation(id, type, title, ownerId, members.users(), createdAt, lastSeq, readSeq, unread,
                    unreadMentions, lastChangeSeq, members.readMarkers());
        }
    }

    /** A conversation's two counters: of its messages ({@code seq}) and of their changes ({@code changeSeq}). */
    public record Counters(long lastSeq, long lastChangeSeq) {
    }

    /** The members of one conversation, with their presence, and each one's read marker, in the order they joined. */
    record Members(List<User> users, List<ReadMarker> readMarkers) {

        static final Members NONE = new Members(List.of(), List.of());
    }

    /** The caller's conversations with the caller's membership: the rows a view or a page picks from. */
    private static final String MINE = """
            SELECT c.id, c.type, c.title, c.owner_id, c.created_at, c.last_activity_at, c.last_seq, m.user_id,
                   m.read_seq
              FROM conversations c
              JOIN memberships m ON m.conversation_id = c.id AND m.user_id = :userId
            """;

    /**
     * The conversations {@code picked} (a query of {@link #MINE}) with the caller's unread counts. Counted only for the
     * rows picked, after the page's ORDER BY and LIMIT: counted in the same SELECT as the sort, they were counted for
     * every conversation of the caller before the LIMIT kept 50, a count of unread messages for each of a user's 5,000
     * conversations on every page (bench/results/2026-12-07-dataset.md). Both counts come from one pass over the
     * caller's unread messages.
     */
    private static String withUnread(String picked) {
        return """
                SELECT p.id, p.type, p.title, p.owner_id, p.created_at, p.last_activity_at, p.last_seq, p.read_seq,
                       u.unread, u.unread_mentions, coalesce(k.last_change_seq, 0) AS last_change_seq
                  FROM (""" + picked + """
                       ) p
                  LEFT JOIN conversation_changes k ON k.conversation_id = p.id
                 CROSS JOIN LATERAL (
                       SELECT count(*) AS unread,
                              count(*) FILTER (WHERE p.user_id = ANY (x.mentions)) AS unread_mentions
                         FROM messages x
                        WHERE x.conversation_id = p.id AND x.seq > p.read_seq AND x.sender_id <> p.user_id) u
                """;
    }

    /** The conversation as {@code userId} sees it, or empty when it does not exist or the user is not a member. */
    Optional<Conversation> view(Handle h, long conversationId, long userId) {
        return h.createQuery(withUnread(MINE + " WHERE c.id = :id"))
                .bind("id", conversationId)
                .bind("userId", userId)
                .map((rs, ctx) -> row(rs))
                .findOne()
                .map(row -> row.withMembers(members(h, List.of(row.id())).getOrDefault(row.id(), Members.NONE)));
    }

    /** Up to {@code limit} conversations of {@code userId}, most recent activity first, after {@code cursor}. */
    List<Row> page(Handle h, long userId, ConversationCursor cursor, int limit) {
        String where = cursor == null ? "" : " WHERE (c.last_activity_at, c.id) < (:at, :afterId)";
        var query = h.createQuery(withUnread(MINE + where + " ORDER BY c.last_activity_at DESC, c.id DESC LIMIT :limit")
                        + " ORDER BY p.last_activity_at DESC, p.id DESC")
                .bind("userId", userId)
                .bind("limit", limit);
        if (cursor != null) {
            query.bind("at", Timestamp.from(cursor.lastActivityAt())).bind("afterId", cursor.id());
        }
        return query.map((rs, ctx) -> row(rs)).list();
    }

    /** Members of each conversation, in the order they joined, with their presence and read markers. */
    Map<Long, Members> members(Handle h, Collection<Long> conversationIds) {
        record Member(long conversationId, User user, ReadMarker readMarker) {
        }
        Map<Long, Members> byConversation = new LinkedHashMap<>();
        h.createQuery("SELECT m.conversation_id, m.read_seq, " + UserStore.COLUMNS + ", " + PresenceStore.COLUMNS
                        + " FROM memberships m JOIN users u ON u.id = m.user_id" + PresenceStore.JOIN
                        + "WHERE m.conversation_id = ANY(:ids) ORDER BY m.conversation_id, m.joined_at, u.id")
                .bindArray("ids", Long.class, conversationIds)
                .map((rs, ctx) -> {
                    User user = UserStore.user(rs, ctx);
                    return new Member(rs.getLong("conversation_id"), user.withPresence(PresenceStore.read(user.id(), rs)),
                            new ReadMarker(user.id(), rs.getLong("read_seq")));
                })
                .forEach(m -> {
                    Members members = byConversation.computeIfAbsent(m.conversationId(),
                            k -> new Members(new ArrayList<>(), new ArrayList<>()));
                    members.users().add(m.user());
                    members.readMarkers().add(m.readMarker());
                });
        return byConversation;
    }

    public boolean isMember(Handle h, long conversationId, long userId) {
        return h.createQuery("SELECT 1 FROM memberships WHERE conversation_id = :c AND user_id = :u")
                .bind("c", conversationId)
                .bind("u", userId)
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
    }

    public List<Long> memberIds(Handle h, long conversationId) {
        return h.createQuery("SELECT user_id FROM memberships WHERE conversation_id = :c ORDER BY user_id")
                .bind("c", conversationId)
                .mapTo(Long.class)
                .list();
    }

    Map<Long, List<Long>> peersOf(Handle h, Collection<Long> userIds) {
        Map<Long, List<Long>> peers = new java.util.HashMap<>();
        h.createQuery("SELECT DISTINCT a.user_id, b.user_id FROM memberships a JOIN memberships b "
                        + "ON b.conversation_id = a.conversation_id AND b.user_id <> a.user_id WHERE a.user_id = ANY(:ids)")
                .bindArray("ids", Long.class, userIds)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getLong(2)))
                .forEach(e -> peers.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return peers;
    }

    Map<Long, Counters> counters(Handle h, Collection<Long> conversationIds) {
        Map<Long, Counters> counters = new java.util.HashMap<>();
        h.createQuery("SELECT c.id, c.last_seq, coalesce(k.last_change_seq, 0) FROM conversations c "
                        + "LEFT JOIN conversation_changes k ON k.conversation_id = c.id WHERE c.id = ANY(:ids)")
                .bindArray("ids", Long.class, conversationIds)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), new Counters(rs.getLong(2), rs.getLong(3))))
                .forEach(e -> counters.put(e.getKey(), e.getValue()));
        return counters;
    }

    /** Of each user given, the counters of every conversation the user is a member of; a user in none is absent. */
    Map<Long, Map<Long, Counters>> countersOfMembers(Handle h, Collection<Long> userIds) {
        Map<Long, Map<Long, Counters>> byUser = new java.util.HashMap<>();
        h.createQuery("SELECT m.user_id, c.id, c.last_seq, coalesce(k.last_change_seq, 0) FROM memberships m "
                        + "JOIN conversations c ON c.id = m.conversation_id "
                        + "LEFT JOIN conversation_changes k ON k.conversation_id = c.id WHERE m.user_id = ANY(:users)")
                .bindArray("users", Long.class, userIds)
                .map((rs, ctx) -> Map.entry(rs.getLong(1),
                        Map.entry(rs.getLong(2), new Counters(rs.getLong(3), rs.getLong(4)))))
                .forEach(e -> byUser.computeIfAbsent(e.getKey(), u -> new java.util.HashMap<>())
                        .put(e.getValue().getKey(), e.getValue().getValue()));
        return byUser;
    }

    /** Type and owner of a conversation, locking its row against concurrent membership changes. */
    Optional<Row> lockForMembershipChange(Handle h, long conversationId) {
        return h.createQuery("SELECT id, type, title, owner_id, created_at, last_activity_at, last_seq, "
                        + "0 AS read_seq, 0 AS unread, 0 AS unread_mentions, 0 AS last_change_seq "
                        + "FROM conversations c WHERE id = :id FOR UPDATE")
                .bind("id", conversationId)
                .map((rs, ctx) -> row(rs))
                .findOne();
    }

    OptionalLong insertDirect(Handle h, long userLo, long userHi) {
        return h.createQuery("""
                        INSERT INTO conversations (type, direct_user_lo, direct_user_hi) VALUES ('direct', :lo, :hi)
                        ON CONFLICT (direct_user_lo, direct_user_hi) WHERE type = 'direct' DO NOTHING
                        RETURNING id""")
                .bind("lo", userLo)
                .bind("hi", userHi)
                .mapTo(Long.class)
                .findOne()
                .map(OptionalLong::of)
                .orElse(OptionalLong.empty());
    }

    long directBetween(Handle h, long userLo, long userHi) {
        return h.createQuery("SELECT id FROM conversations "
                        + "WHERE type = 'direct' AND direct_user_lo = :lo AND direct_user_hi = :hi")
                .bind("lo", userLo)
                .bind("hi", userHi)
                .mapTo(Long.class)
                .one();
    }

    long insertGroup(Handle h, String title, long ownerId) {
        return h.createQuery("INSERT INTO conversations (type, title, owner_id) VALUES ('group', :title, :owner) "
                        + "RETURNING id")
                .bind("title", title)
                .bind("owner", ownerId)
                .mapTo(Long.class)
                .one();
    }

    /** Adds the users not yet members; returns how many were added. */
    int addMembers(Handle h, long conversationId, Collection<Long> userIds) {
        return h.createUpdate("INSERT INTO memberships (conversation_id, user_id) "
                        + "SELECT :c, unnest(:ids) ON CONFLICT DO NOTHING")
                .bind("c", conversationId)
                .bindArray("ids", Long.class, userIds)
                .execute();
    }

    boolean removeMember(Handle h, long conversationId, long userId) {
        return h.createUpdate("DELETE FROM memberships WHERE conversation_id = :c AND user_id = :u")
                .bind("c", conversationId)
                .bind("u", userId)
                .execute() == 1;
    }

    int memberCount(Handle h, long conversationId) {
        return h.createQuery("SELECT count(*) FROM memberships WHERE conversation_id = :c")
                .bind("c", conversationId)
                .mapTo(Integer.class)
                .one();
    }

    /** Hands ownership to the longest-standing remaining member, or to nobody when none remains. */
    void passOwnership(Handle h, long conversationId) {
        h.createUpdate("""
                        UPDATE conversations SET owner_id = (
                            SELECT user_id FROM memberships WHERE conversation_id = :c
                             ORDER BY joined_at, user_id LIMIT 1)
                         WHERE id = :c""")
                .bind("c", conversationId)
                .execute();
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        long owner = rs.getLong("owner_id");
        Long ownerId = rs.wasNull() ? null : owner;
        return new Row(rs.getLong("id"), rs.getString("type"), rs.getString("title"), ownerId,
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("last_activity_at").toInstant(),
                rs.getLong("last_seq"), rs.getLong("read_seq"), rs.getLong("unread"), rs.getLong("unread_mentions"),
                rs.getLong("last_change_seq"));
    }
}
