-- Messages people can take back: edits, deletes (as tombstones), replies, reactions and mentions, and the change
-- counter that numbers every edit, delete and reaction change of a conversation the way seq numbers its messages.
-- Never edit this file after it has landed; add V8__... instead. append_messages, which stores reply_to and mentions
-- with each send, is in R__append_messages.sql.

ALTER TABLE messages
    -- The seq of the message this one answers, in the same conversation. No foreign key: a message is never removed
    -- (a delete leaves a tombstone at its seq), and append_messages accepts only a seq at or below the conversation's
    -- last_seq, so the row exists; a key would make every reply lock the row it answers (FOR KEY SHARE).
    ADD COLUMN reply_to   bigint CHECK (reply_to > 0),
    -- The members named with @username in the body, in the order first named. Emptied by a delete.
    ADD COLUMN mentions   bigint[]    NOT NULL DEFAULT '{}',
    -- [{"emoji": "...", "userIds": [...]}, ...], in the order each emoji was first used. Emptied by a delete.
    ADD COLUMN reactions  jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN edited_at  timestamptz,
    -- Set by a delete, which also empties body, mentions and reactions: the row stays as a tombstone at its seq, so
    -- history, unread counts and read markers never change shape.
    ADD COLUMN deleted_at timestamptz,
    -- The conversation's change counter at this message's last change; 0 for a message never changed.
    ADD COLUMN change_seq bigint      NOT NULL DEFAULT 0 CHECK (change_seq >= 0);

-- GET .../messages?changedAfter=N reads a conversation's changed messages in change order.
CREATE INDEX messages_conversation_change_seq_idx ON messages (conversation_id, change_seq) WHERE change_seq > 0;

-- Each conversation's change counter, raised by one in the transaction of each edit, delete and reaction change, so
-- it is gapless like seq: a change that rolls back takes its number back with it. A table of its own rather than a
-- column of conversations: a change locks this row, never the conversation's, which a batch of sends locks to claim
-- its seqs (append_messages); a storm of reactions in one conversation then never holds up a batch of sends, nor the
-- other conversations' sends batched with them. The row appears with the conversation's first change.
CREATE TABLE conversation_changes (
    conversation_id bigint PRIMARY KEY REFERENCES conversations (id),
    last_change_seq bigint NOT NULL CHECK (last_change_seq > 0)
);
