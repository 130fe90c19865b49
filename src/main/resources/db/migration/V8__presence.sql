-- Presence across the nodes of a deployment (presence.PresenceStore reads and writes these tables).
-- Never edit this file after it has landed; add a later V instead.

-- One row per running node: its lease, renewed by the node every third of a lease. A node whose lease has run
-- out is taken for dead by whichever node sweeps first, and its streams go with it.
-- UNLOGGED, like presence_streams: both say only which nodes and streams live now. They write no WAL, and after
-- a crash of PostgreSQL they come back empty; each node then finds its lease gone and registers again with its
-- users.
CREATE UNLOGGED TABLE presence_nodes (
    node_id      uuid        PRIMARY KEY,
    -- when the node was last heard from: the last-seen time of its users if it dies
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);

-- A user with at least one open stream on a node (however many: the node counts them itself).
CREATE UNLOGGED TABLE presence_streams (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- a node registers before it inserts rows here; a node whose lease was swept is refused here and registers again
    node_id uuid   NOT NULL REFERENCES presence_nodes (node_id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, node_id)
);
CREATE INDEX presence_streams_node_id_idx ON presence_streams (node_id);

-- What the other users were last told about a user: online or not, and since when. Every change of `online`
-- happens with this row locked, so the changes of one user commit one at a time whichever nodes make them.
CREATE TABLE user_presence (
    user_id      bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    online       boolean     NOT NULL DEFAULT false,
    -- while online: when the user came online; once offline: when the user was last seen (its last stream closed,
    -- or its node was last heard from)
    last_seen_at timestamptz
);
CREATE INDEX user_presence_online_idx ON user_presence (user_id) WHERE online;
