-- The index GET /v1/search reads: every message's words, as the courier_search configuration (V11__search.sql) makes
-- them. Never edit this file after it has landed.
--
-- An expression index rather than a stored tsvector column: a send computes the words once either way, but a column
-- would also store them in every row (a larger table, more WAL per send), and adding one to an existing table rewrites
-- the whole table under a lock that stops every send. The price: a search that must check a candidate's words again
-- (a phrase, or a bitmap too large for work_mem) parses its body again (bench/results/2026-12-07-search.md measures
-- both the search and the send path).
--
-- CONCURRENTLY, so that building the index on a messages table of a year's size (minutes) blocks no send: Flyway runs
-- a migration holding only statements that cannot run in a transaction outside one. A build that fails leaves an
-- invalid index behind, which the DROP removes when the migration runs again (after `flyway repair`).
DROP INDEX CONCURRENTLY IF EXISTS messages_search_idx;
CREATE INDEX CONCURRENTLY messages_search_idx ON messages USING gin (to_tsvector('courier_search'::regconfig, body));
