package dev.courier.messages;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;

/**
 * Stores one message the way a send does ({@code append_messages}, announcement included) and reads it back the way
 * history does, for two users and a group made for the purpose, all inside the caller's transaction. The caller
 * rolls it back: what it is for is that this session of PostgreSQL has planned the send path's statements (PL/pgSQL
 * keeps a function's plans per session) and this JVM has run the code around them, before the first real send.
 *
 * <p>Rolled back, it leaves no row, and no gap in any conversation's seqs (the counter is a column of the
 * conversation's row, which goes with the rollback). The id sequences of users, conversations and messages do
 * advance, as after any failed insert; those ids promise order, not density.
 */
public final class SendRehearsal {

    private final MessageStore store = new MessageStore();
    private final AnnouncementSource announcements;

    public SendRehearsal(AnnouncementSource announcements) {
        this.announcements = announcements;
    }

    /** Runs the rehearsal in {@code h}'s open transaction; returns the message it stored there. */
    public Message rehearse(Handle h) {
        String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        long sender = insertUser(h, "warmup_a_" + tag);
        long peer = insertUser(h, "warmup_b_" + tag);
        long conversation = h.createQuery("INSERT INTO conversations (type, title, owner_id) "
                        + "VALUES ('group', 'warm-up', :owner) RETURNING id")
                .bind("owner", sender)
                .mapTo(Long.class)
                .one();
        h.createUpdate("INSERT INTO memberships (conversation_id, user_id) SELECT :c, unnest(:ids)")
                .bind("c", conversation)
                .bindArray("ids", Long.class, List.of(sender, peer))
                .execute();
        // a mention, so that message_mentions' query is planned too
        PendingSend send = new PendingSend(sender, conversation, UUID.randomUUID(), "warm-up @warmup_b_" + tag, 0,
                new CompletableFuture<>());
        MessageStore.Appended appended = store.append(h, List.of(send), announcements.messageAnnouncement()).getFirst();
        if (!appended.created()) {
            throw new IllegalStateException("the rehearsed send was not stored");
        }
        store.after(h, conversation, 0, 50);
        return appended.message();
    }

    private static long insertUser(Handle h, String username) {
        return h.createQuery("INSERT INTO users (username, display_name, password_hash) "
                        + "VALUES (:username, 'warm-up', '!') RETURNING id")
                .bind("username", username)
                .mapTo(Long.class)
                .one();
    }
}
