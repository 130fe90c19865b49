-- The search index's pending list (GIN's fast update) may grow to 32 MB instead of the server's default 4 MB
-- (gin_pending_list_limit, in kB). The list is merged into the index every second by search.PendingWordsMerger, off
-- the send path; the limit is only the backstop for when that merger is stopped or behind. The insert that finds the
-- list over the limit merges the whole list itself, inside a message writer's batch, which then waits hundreds of
-- milliseconds (bench/results/2026-12-07-search-merge.md): a larger backstop keeps that off the send path through a
-- merger's hiccup. Searches read the pending list unindexed, so it must not grow without bound either.
--
-- A storage parameter changes only the catalog, under a lock that sends (inserts) do not conflict with.
-- Never edit this file after it has landed.
ALTER INDEX messages_search_idx SET (gin_pending_list_limit = 32768);
