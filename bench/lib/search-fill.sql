-- A year of Courier's data for bench/search.sh: the fill of bench/lib/year-fill.sql with :users users,
-- :conversations conversations (groups of 3-20) and :messages messages (the busiest conversations drawn with a
-- uniform draw squared), then the two users of the search cases, :small_user and :large_user (user ids made by the
-- API beforehand, so that they can log in), join :small_count and :large_count groups, spread over the whole range,
-- so busy and quiet ones alike.
-- Run by bench/search.sh with psql -v; prints progress with \echo and \timing.
\set group_max 20
\set message_tail 2
\set password_hash x
\ir year-fill.sql

\echo bench: the users of the search cases
INSERT INTO memberships (conversation_id, user_id)
SELECT id, :small_user FROM conversations WHERE type = 'group' ORDER BY md5(id::text || 'small') LIMIT :small_count
ON CONFLICT DO NOTHING;
INSERT INTO memberships (conversation_id, user_id)
SELECT id, :large_user FROM conversations WHERE type = 'group' ORDER BY md5(id::text || 'large') LIMIT :large_count
ON CONFLICT DO NOTHING;
ANALYZE memberships;
