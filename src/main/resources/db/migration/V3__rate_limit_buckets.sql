-- Token buckets of the rate limits, shared by every node of a deployment.
-- UNLOGGED: a check per send must be cheap, and an unlogged table writes no WAL, so its commits never wait
-- for a flush to disk. After a crash PostgreSQL empties it, which only hands every client a full bucket once:
-- an acceptable loss for counters that refill by themselves within a period anyway.
CREATE UNLOGGED TABLE rate_buckets (
    name       text             NOT NULL,
    key        text             NOT NULL,
    tokens     double precision NOT NULL,
    -- whether the last check took a token; read back by the same statement that updates the bucket
    allowed    boolean          NOT NULL,
    updated_at timestamptz      NOT NULL,
    PRIMARY KEY (name, key)
);
