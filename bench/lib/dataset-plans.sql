-- The plans of the reads bench/dataset.sh times, as PostgreSQL runs them for the probe users (EXPLAIN (ANALYZE,
-- BUFFERS)): the SQL is the server's, copied from the class named above each (keep them in step). A read whose
-- buffers grow between the empty database and the year of data grows with the total number of messages.
-- Variables: :probe20, :probe500, :probe5000 (user ids), :history (conversation id), :history_last (its last_seq).
\pset pager off
SET jit = off;

\echo '### list, user in 5,000 conversations: ConversationStore.page (first page, 50 + 1 rows)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT p.id, p.type, p.title, p.owner_id, p.created_at, p.last_activity_at, p.last_seq, p.read_seq,
       u.unread, u.unread_mentions, coalesce(k.last_change_seq, 0) AS last_change_seq
  FROM (SELECT c.id, c.type, c.title, c.owner_id, c.created_at, c.last_activity_at, c.last_seq, m.user_id,
               m.read_seq
          FROM conversations c
          JOIN memberships m ON m.conversation_id = c.id AND m.user_id = :probe5000
         ORDER BY c.last_activity_at DESC, c.id DESC LIMIT 51) p
  LEFT JOIN conversation_changes k ON k.conversation_id = p.id
 CROSS JOIN LATERAL (
       SELECT count(*) AS unread, count(*) FILTER (WHERE p.user_id = ANY (x.mentions)) AS unread_mentions
         FROM messages x
        WHERE x.conversation_id = p.id AND x.seq > p.read_seq AND x.sender_id <> p.user_id) u
 ORDER BY p.last_activity_at DESC, p.id DESC;

-- the page's 50 conversations, as the server binds them
SELECT '{' || coalesce(string_agg(id::text, ','), '') || '}' AS page
  FROM (SELECT c.id FROM conversations c JOIN memberships m ON m.conversation_id = c.id
         WHERE m.user_id = :probe5000 ORDER BY c.last_activity_at DESC, c.id DESC LIMIT 50) p \gset
\echo '### list, user in 5,000 conversations: ConversationStore.members (the page''s members)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT m.conversation_id, m.read_seq, u.id, u.username, u.display_name, u.created_at, u.deleted_at,
       coalesce(up.online, false) AS presence_online, up.last_seen_at AS presence_last_seen_at
  FROM memberships m JOIN users u ON u.id = m.user_id LEFT JOIN user_presence up ON up.user_id = u.id
 WHERE m.conversation_id = ANY (:'page'::bigint[])
 ORDER BY m.conversation_id, m.joined_at, u.id;

\echo '### history, newest page: MessageStore.before'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT id, conversation_id, seq, sender_id, client_msg_id, body, created_at, edited_at, deleted_at, reply_to, mentions,
       reactions, change_seq, attachments
  FROM messages WHERE conversation_id = :history AND seq < :history_last + 1 ORDER BY seq DESC LIMIT 51;

\echo '### history, oldest page: MessageStore.after (also the catch-up after a reconnect, 500 a page)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT id, conversation_id, seq, sender_id, client_msg_id, body, created_at, edited_at, deleted_at, reply_to, mentions,
       reactions, change_seq, attachments
  FROM messages WHERE conversation_id = :history AND seq > 0 ORDER BY seq LIMIT 51;

\echo '### login: UserStore.byUsername, then SessionStore.insert'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT u.id, u.username, u.display_name, u.created_at, u.deleted_at, u.password_hash, u.deactivated_at FROM users u
 WHERE u.username = 'probe20' AND u.deleted_at IS NULL;

\echo '### every request: SessionStore.active (a session cache miss; a batch of one token)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT u.id, u.username, u.display_name, u.created_at, u.deleted_at, u.deactivated_at, s.expires_at, s.token_hash
  FROM sessions s JOIN users u ON u.id = s.user_id
 WHERE s.token_hash = ANY (ARRAY(SELECT decode(x, 'hex') FROM unnest(ARRAY[encode(sha256('bench-session-1-1'), 'hex')]) AS x))
   AND s.expires_at > now();

\echo '### stream ready, user in 5,000 conversations: ConversationStore.countersOfMembers (a batch of one user)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT m.user_id, c.id, c.last_seq, coalesce(k.last_change_seq, 0) FROM memberships m
  JOIN conversations c ON c.id = m.conversation_id
  LEFT JOIN conversation_changes k ON k.conversation_id = c.id WHERE m.user_id = ANY (ARRAY[:probe5000]::bigint[]);

\echo '### stream ready, user in 5,000 conversations: ConversationStore.peersOf (presence)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT DISTINCT a.user_id, b.user_id FROM memberships a JOIN memberships b
    ON b.conversation_id = a.conversation_id AND b.user_id <> a.user_id WHERE a.user_id = ANY (ARRAY[:probe5000]::bigint[]);
