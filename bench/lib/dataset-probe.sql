-- The users and conversations bench/dataset.sh measures, made the same way (with the same random seed) on an empty
-- database and on a year of data (bench/lib/year-fill.sql), so that the two runs differ only in what surrounds them:
--   probe20, probe500, probe5000  in 20, 500 and 5,000 groups, each group with 2-8 peers (probepeer1-200) and 1-100
--                                 messages (long-tailed: most have a few), read markers as year-fill.sql leaves them
--                                 (eight in ten read up to the end, the rest behind)
--   probereconnect                in 10 groups of 300 messages, 100 unread in each: 1,000 missed messages
--   probehistory                  in a group of two with :history_messages messages, all read
-- Every user's password hash is :'password_hash'. Seqs gapless from 1, counters and read markers consistent.
SET synchronous_commit = off;
SET session_replication_role = replica;
SELECT setseed(0.38) \g /dev/null

INSERT INTO users (username, display_name, password_hash)
SELECT name, name, :'password_hash'
  FROM unnest(ARRAY['probe20', 'probe500', 'probe5000', 'probereconnect', 'probehistory']) name
UNION ALL
SELECT 'probepeer' || g, 'Probe peer ' || g, :'password_hash' FROM generate_series(1, 200) g;

-- One row per probe conversation: its owner, its peers, how many messages and where the owner's read marker stands.
CREATE TEMP TABLE probe_plan AS
WITH wanted (owner, count, messages, unread) AS (
    VALUES ('probe20', 20, NULL, NULL), ('probe500', 500, NULL, NULL), ('probe5000', 5000, NULL, NULL),
           ('probereconnect', 10, 300, 100), ('probehistory', 1, :history_messages, 0)
), numbered AS (
    SELECT w.owner, k, coalesce(w.messages, 1 + floor(random() ^ 3 * 100)::int) AS messages, w.unread,
           CASE WHEN w.owner = 'probehistory' THEN 1 ELSE 2 + floor(random() * 7)::int END AS peers,
           random() AS x
      FROM wanted w CROSS JOIN LATERAL generate_series(1, w.count) k
)
SELECT row_number() OVER (ORDER BY owner, k) AS n, owner, k, messages, peers,
       CASE WHEN unread IS NOT NULL THEN messages - unread
            WHEN x < 0.80 THEN messages
            WHEN x < 0.95 THEN greatest(0, messages - 1 - floor(random() * 50)::int)
            ELSE floor(messages * random())::int END AS read_seq
  FROM numbered;

INSERT INTO conversations (type, title, owner_id, last_seq, created_at, last_activity_at)
SELECT 'group', 'probe ' || p.owner || ' ' || p.k, u.id, p.messages, now() - interval '60 days',
       now() - interval '30 days' * random()
  FROM probe_plan p JOIN users u ON u.username = p.owner
 ORDER BY p.n;
CREATE TEMP TABLE probe_conversations AS
SELECT p.*, c.id, c.title, c.last_activity_at
  FROM probe_plan p JOIN conversations c ON c.type = 'group' AND c.title = 'probe ' || p.owner || ' ' || p.k;
CREATE TEMP TABLE probe_members AS
SELECT p.id AS conversation_id, u.id AS user_id, 0 AS position, p.read_seq
  FROM probe_conversations p JOIN users u ON u.username = p.owner
UNION ALL
SELECT p.id, u.id, j, p.messages
  FROM probe_conversations p
 CROSS JOIN LATERAL generate_series(1, p.peers) j
  JOIN users u ON u.username = 'probepeer' || (1 + (p.n * 37 + j * 53) % 200);
INSERT INTO memberships (conversation_id, user_id, read_seq, joined_at)
SELECT conversation_id, user_id, read_seq, now() - interval '60 days' FROM probe_members;

-- Message seq s of a conversation is sent by its member number s mod (peers + 1), the owner among them, at a time
-- that grows with s and ends at the conversation's last activity.
INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, body, created_at)
SELECT p.id, s, m.user_id, gen_random_uuid(), 'probe message ' || s || ' of ' || p.title,
       p.last_activity_at - interval '1 minute' * (p.messages - s)
  FROM probe_conversations p
 CROSS JOIN LATERAL generate_series(1, p.messages) s
  JOIN probe_members m ON m.conversation_id = p.id AND m.position = s % (p.peers + 1)
 ORDER BY 6;
SET session_replication_role = origin;
ANALYZE users;
ANALYZE conversations;
ANALYZE memberships;
ANALYZE messages;
