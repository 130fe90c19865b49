-- A year of Courier's data for bench/search.sh, generated inside PostgreSQL (no row crosses the wire):
-- :users users, :conversations conversations (seven in ten direct, the rest groups of 3-20), :messages messages whose
-- bodies are 3-20 words drawn from a vocabulary of :vocabulary words with a Zipf-like frequency curve (the word of
-- rank r is drawn with probability about proportional to 1/r, as in natural text), stored in time order over a
-- year, seqs gapless per conversation. Conversations get messages unevenly: the busiest are hundreds of times busier
-- than the quietest. Two members-to-be of the search cases, :small_user and :large_user (user ids made by the API
-- beforehand, so that they can log in), join :small_count and :large_count conversations.
-- Run by bench/search.sh with psql -v; prints progress with \echo and \timing.
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

\echo bench: users
INSERT INTO users (username, display_name, password_hash)
SELECT 'bench' || g, 'Bench user ' || g, 'x' FROM generate_series(1, :users) g;
CREATE TEMP TABLE bench_user_ids AS
SELECT row_number() OVER (ORDER BY id) AS n, id FROM users WHERE username LIKE 'bench%' AND password_hash = 'x';
CREATE INDEX ON bench_user_ids (n);
ANALYZE bench_user_ids;

\echo bench: conversations and memberships
-- (the bench users' ids are consecutive: one INSERT made them)
SELECT min(id) - 1 AS first_user FROM bench_user_ids \gset
-- direct: a random pair each (a pair drawn twice is skipped)
INSERT INTO conversations (type, direct_user_lo, direct_user_hi, created_at)
SELECT 'direct', least(a.id, b.id), greatest(a.id, b.id), now() - interval '366 days'
  FROM (SELECT g, :first_user + 1 + floor(random() * :users)::bigint AS id
          FROM generate_series(1, (:conversations * 7 / 10)::bigint) g) a
  JOIN (SELECT g, :first_user + 1 + floor(random() * :users)::bigint AS id
          FROM generate_series(1, (:conversations * 7 / 10)::bigint) g) b USING (g)
 WHERE a.id <> b.id
ON CONFLICT DO NOTHING;
INSERT INTO conversations (type, title, owner_id, created_at)
SELECT 'group', 'Bench group ' || g, :first_user + 1 + (g * 7919) % :users,
       now() - interval '366 days'
  FROM generate_series(1, :conversations - (SELECT count(*) FROM conversations WHERE type = 'direct')) g;
INSERT INTO memberships (conversation_id, user_id)
SELECT id, direct_user_lo FROM conversations WHERE type = 'direct'
UNION ALL
SELECT id, direct_user_hi FROM conversations WHERE type = 'direct';
INSERT INTO memberships (conversation_id, user_id)
SELECT DISTINCT c.id, :first_user + 1 + floor(random() * :users + k * 0)::bigint
  FROM conversations c
  CROSS JOIN LATERAL generate_series(1, 3 + (c.id * 31 % 18)::int) k
 WHERE c.type = 'group'
ON CONFLICT DO NOTHING;
-- The two users of the search cases, each in as many groups as asked (groups spread over the whole range, so busy and
-- quiet ones alike).
INSERT INTO memberships (conversation_id, user_id)
SELECT id, :small_user FROM conversations WHERE type = 'group' ORDER BY md5(id::text || 'small') LIMIT :small_count
ON CONFLICT DO NOTHING;
INSERT INTO memberships (conversation_id, user_id)
SELECT id, :large_user FROM conversations WHERE type = 'group' ORDER BY md5(id::text || 'large') LIMIT :large_count
ON CONFLICT DO NOTHING;
CREATE TEMP TABLE bench_conversation_ids AS
SELECT row_number() OVER (ORDER BY md5(id::text)) AS n, id FROM conversations;
CREATE INDEX ON bench_conversation_ids (n);
ANALYZE bench_conversation_ids;

-- The messages table's indexes (its primary key aside) are dropped while the rows go in and built again after,
-- from their own definitions, as a restore does: one sort per index instead of ten million inserts into each.
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
-- more than the quietest (the square of a uniform draw), its sender is a random user (who sends does not matter to
-- search), and its body is as bench_body (search-words.sql) draws one, written out here: a call of that SQL
-- function per row took five times as long. Drawn into an unlogged table first, then numbered
-- per conversation in one pass, so that seqs are gapless without updating ten million rows.
CREATE UNLOGGED TABLE bench_drawn (g bigint, conversation_id bigint, sender_id bigint, body text);
SELECT format($f$
INSERT INTO bench_drawn
SELECT g, (SELECT c.id FROM bench_conversation_ids c WHERE c.n = d.n), %7$s + 1 + floor(random() * %3$s)::bigint,
       (SELECT string_agg((SELECT w.word FROM bench_words w WHERE w.rank = x.r), ' ')
          FROM (SELECT floor(exp(random() * ln(%4$s + 0.999)) + k * 0)::int AS r
                  FROM generate_series(1, 3 + (hashint8(g) & 1023) %% 18) k) x)
  FROM (SELECT g, 1 + floor(random() ^ 2 * %6$s + g * 0)::bigint AS n FROM generate_series(%1$s, %2$s) g) d$f$,
       s, least(s + 999999, :messages), :users, :vocabulary, :messages, :conversations, :first_user)
  FROM generate_series(1, :messages, 1000000) s \gexec
INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, body, created_at)
SELECT conversation_id, row_number() OVER (PARTITION BY conversation_id ORDER BY g), sender_id, gen_random_uuid(),
       body, now() - interval '365 days' * (1 - g::float8 / :messages)
  FROM bench_drawn
 ORDER BY g;
DROP TABLE bench_drawn;

\echo bench: counters, keys
UPDATE conversations c SET last_seq = m.last_seq, last_activity_at = m.last_at
  FROM (SELECT conversation_id, max(seq) AS last_seq, max(created_at) AS last_at FROM messages
         GROUP BY conversation_id) m
 WHERE c.id = m.conversation_id;
SET session_replication_role = origin;
\echo bench: rebuilding the messages indexes (the search index last)
SELECT recreate FROM bench_dropped ORDER BY name = 'messages_search_idx', name \gexec
VACUUM (ANALYZE) messages;
ANALYZE;
