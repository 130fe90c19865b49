-- A year of Courier's data, generated inside PostgreSQL (no row crosses the wire), for the benches that need one
-- (bench/dataset.sh, bench/search.sh):
--   :users users (usernames bench1, bench2, ...; password hash :'password_hash', so that with a real hash every one of
--     them can log in), each with 1-3 sessions whose tokens are 'bench-session-<n>-<k>' (n the user's number, k 1-3);
--   :conversations conversations, seven in ten direct (a random pair each), the rest groups of 3 to :group_max
--     members with a long tail (Pareto, shape 1.2: the median group has 5 members, one in thirty has 50 or more);
--   :messages messages, stored in time order over a year, each sent by a member of its conversation; conversations
--     get them unevenly, rank r of n drawn with probability about proportional to r^(1/:message_tail - 1) (the busiest
--     conversations are hundreds of times busier than the quietest); bodies are 3-20 words drawn from a vocabulary of
--     :vocabulary words with a Zipf-like frequency curve (bench/lib/search-words.sql);
--   read markers as people leave them: eight memberships in ten read up to the last message, three in twenty behind by
--     up to 50 messages, one in twenty (a muted group, an abandoned chat) behind by a random share of the whole
--     history.
-- Consistent with what append_messages and the API maintain: seqs gapless per conversation from 1, each
-- conversation's last_seq and last_activity_at those of its last message, read markers at or below last_seq, one
-- direct conversation per pair with its two members, a group's owner among its members, every sender a member.
-- Runs on a migrated database (the server's own migrations), once. Prints progress with \echo and \timing.
\timing on
SET synchronous_commit = off;
SET maintenance_work_mem = '1GB';
SET work_mem = '512MB';
SET max_parallel_maintenance_workers = 2;
-- No foreign key or trigger checks: the rows are generated consistent, and checking ten million keys one by one
-- would double the time of the fill.
SET session_replication_role = replica;

\echo bench: vocabulary
\ir search-words.sql

\echo bench: users and sessions
INSERT INTO users (username, display_name, password_hash, created_at)
SELECT 'bench' || g, 'Bench user ' || g, :'password_hash', now() - interval '400 days'
  FROM generate_series(1, :users) g;
-- The users' ids are consecutive (one INSERT made them): user n is first_user + n.
SELECT coalesce((SELECT id - 1 FROM users WHERE username = 'bench1'), 0) AS first_user \gset
INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_used_at, user_agent, address)
SELECT sha256(convert_to('bench-session-' || u || '-' || k, 'UTF8')), :first_user + u, t, t + interval '30 days',
       t + interval '1 hour', 'bench', '127.0.0.1'
  FROM generate_series(1, :users) u
 CROSS JOIN LATERAL generate_series(1, 1 + (hashint4(u) & 1023) % 3) k
 CROSS JOIN LATERAL (SELECT now() - interval '29 days' * random() + interval '0 s' * k) t(t);

\echo bench: conversations and memberships
SELECT coalesce(max(id), 0) AS first_conversation FROM conversations \gset
-- direct: a random pair each (a pair drawn twice is skipped; groups make up the difference)
INSERT INTO conversations (type, direct_user_lo, direct_user_hi, created_at, last_activity_at)
SELECT 'direct', least(a.id, b.id), greatest(a.id, b.id), now() - interval '366 days', now() - interval '366 days'
  FROM (SELECT g, :first_user + 1 + floor(random() * :users)::bigint AS id
          FROM generate_series(1, (:conversations * 7 / 10)::bigint) g) a
  JOIN (SELECT g, :first_user + 1 + floor(random() * :users)::bigint AS id
          FROM generate_series(1, (:conversations * 7 / 10)::bigint) g) b USING (g)
 WHERE a.id <> b.id
ON CONFLICT DO NOTHING;
INSERT INTO conversations (type, title, owner_id, created_at, last_activity_at)
SELECT 'group', 'Bench group ' || g, :first_user + 1 + floor(random() * :users)::bigint,
       now() - interval '366 days', now() - interval '366 days'
  FROM generate_series(1, :conversations - (SELECT count(*) FROM conversations WHERE id > :first_conversation)) g;
INSERT INTO memberships (conversation_id, user_id, joined_at)
SELECT id, direct_user_lo, created_at FROM conversations WHERE id > :first_conversation AND type = 'direct'
UNION ALL
SELECT id, direct_user_hi, created_at FROM conversations WHERE id > :first_conversation AND type = 'direct'
UNION ALL
SELECT id, owner_id, created_at FROM conversations WHERE id > :first_conversation AND type = 'group';
-- the other members of each group: size - 1 random users (a user drawn twice joins once, so a few groups come out
-- a member short)
INSERT INTO memberships (conversation_id, user_id, joined_at)
SELECT c.id, :first_user + 1 + floor(random() * :users + k * 0)::bigint, c.created_at
  FROM (SELECT id, created_at, least(:group_max, floor(3 * (1 - random()) ^ (-1 / 1.2)))::int AS size
          FROM conversations WHERE id > :first_conversation AND type = 'group') c
 CROSS JOIN LATERAL generate_series(2, c.size) k
ON CONFLICT DO NOTHING;
-- Conversations numbered in a random order (rank n: the n-th busiest), each with its members to draw senders from.
CREATE TEMP TABLE bench_conversation_ids AS
SELECT row_number() OVER (ORDER BY md5(c.id::text)) AS n, c.id, m.members
  FROM conversations c
  JOIN (SELECT conversation_id, array_agg(user_id) AS members FROM memberships
         WHERE conversation_id > :first_conversation GROUP BY conversation_id) m ON m.conversation_id = c.id;
CREATE UNIQUE INDEX ON bench_conversation_ids (n);
ANALYZE bench_conversation_ids;

-- The messages table's indexes (its primary key aside) are dropped while the rows go in and built again after,
-- from their own definitions, as a restore does: one sort per index instead of an insert per row into each.
CREATE TEMP TABLE bench_dropped AS
SELECT c.conname AS name, 'ALTER TABLE messages ADD CONSTRAINT ' || quote_ident(c.conname) || ' '
           || pg_get_constraintdef(c.oid) AS recreate, true AS is_constraint
  FROM pg_constraint c WHERE c.conrelid = 'messages'::regclass AND c.contype = 'u'
UNION ALL
SELECT i.relname, pg_get_indexdef(i.oid), false
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
 WHERE x.indrelid = 'messages'::regclass AND NOT x.indisprimary
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid);
SELECT format(CASE WHEN is_constraint THEN 'ALTER TABLE messages DROP CONSTRAINT %I' ELSE 'DROP INDEX %I' END, name)
  FROM bench_dropped \gexec

\echo bench: messages, drawn in slices of a million (one line each), then numbered and stored
-- Message g of n is stored at g/n of the year; its conversation is drawn so that the busiest conversations get far
-- more than the quietest (a uniform draw to the power :message_tail), its sender is a random member of it, and its
-- body is as bench_body (search-words.sql) draws one, written out here: a call of that SQL function per row took five
-- times as long. Drawn into an unlogged table first, then numbered per conversation in one pass, so that seqs are
-- gapless without updating every row.
CREATE UNLOGGED TABLE bench_drawn (g bigint, conversation_id bigint, sender_id bigint, body text);
SELECT format($f$
INSERT INTO bench_drawn
SELECT g, c.id, c.members[1 + floor(random() * cardinality(c.members))::int],
       (SELECT string_agg((SELECT w.word FROM bench_words w WHERE w.rank = x.r), ' ')
          FROM (SELECT floor(exp(random() * ln(%3$s + 0.999)) + k * 0)::int AS r
                  FROM generate_series(1, 3 + (hashint8(g) & 1023) %% 18) k) x)
  FROM (SELECT g, 1 + floor(random() ^ %6$s * %5$s + g * 0)::bigint AS n FROM generate_series(%1$s, %2$s) g) d
  JOIN bench_conversation_ids c ON c.n = d.n$f$,
       s, least(s + 999999, :messages), :vocabulary, :messages, (SELECT count(*) FROM bench_conversation_ids),
       :message_tail)
  FROM generate_series(1, :messages, 1000000) s \gexec
INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, body, created_at)
SELECT conversation_id, row_number() OVER (PARTITION BY conversation_id ORDER BY g), sender_id, gen_random_uuid(),
       body, now() - interval '365 days' * (1 - g::float8 / :messages)
  FROM bench_drawn
 ORDER BY g;
DROP TABLE bench_drawn;

\echo bench: counters and read markers
UPDATE conversations c SET last_seq = m.last_seq, last_activity_at = m.last_at
  FROM (SELECT conversation_id, max(seq) AS last_seq, max(created_at) AS last_at FROM messages
         WHERE conversation_id > :first_conversation GROUP BY conversation_id) m
 WHERE c.id = m.conversation_id;
-- (one uniform draw per membership, from a hash of it, picks which of the three)
UPDATE memberships m
   SET read_seq = CASE WHEN (hashint8(m.conversation_id * 1000003 + m.user_id) & 1023) < 819 THEN c.last_seq
                       WHEN (hashint8(m.conversation_id * 1000003 + m.user_id) & 1023) < 973
                            THEN greatest(0, c.last_seq - floor(random() * 51)::bigint)
                       ELSE floor(c.last_seq * random())::bigint END
  FROM conversations c
 WHERE c.id = m.conversation_id AND c.id > :first_conversation AND c.last_seq > 0;
SET session_replication_role = origin;
\echo bench: rebuilding the messages indexes (the search index last)
SELECT recreate FROM bench_dropped ORDER BY name = 'messages_search_idx', name \gexec
VACUUM (ANALYZE) messages;
VACUUM (ANALYZE) memberships;
ANALYZE;
