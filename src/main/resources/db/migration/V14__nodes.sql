-- The nodes of a deployment, each as it describes itself (nodes.NodeRegistry writes, nodes.NodeStore reads), and
-- the receipts of the bus probes that the audit sends (audit.BusProbeCheck). Never edit this file after it has
-- landed; add a later V instead.

-- One row per node process since it started: what it runs, how it is configured, and when it was last heard from.
-- A row stays after its node stopped (stopped_at), so that an audit can tell a node that went away cleanly from one
-- that died; rows of nodes gone for a week are removed by the heartbeats of the others.
-- presence_nodes is a different thing: a lease on the streams of a node, taken again under a new id whenever it
-- runs out, and gone with the node. This table keeps the node's identity for the life of its process.
CREATE TABLE nodes (
    node_id        uuid        PRIMARY KEY,
    version        text        NOT NULL,
    -- where the node listens, as it knows itself (host name and port)
    address        text        NOT NULL,
    started_at     timestamptz NOT NULL,
    -- PostgreSQL's clock at the last heartbeat: alive while this is recent
    heartbeat_at   timestamptz NOT NULL DEFAULT now(),
    -- the node's own clock at the same heartbeat, to measure its skew against PostgreSQL's
    node_clock_at  timestamptz NOT NULL,
    stopped_at     timestamptz,
    -- the schema version the node's migrations bring the database to
    schema_version text        NOT NULL,
    -- the settings that matter to an audit (nodes.NodeSettings as JSON): pool, bus, limits, alerting, safety
    settings       jsonb       NOT NULL
);

-- Which node heard which bus probe, and when by PostgreSQL's clock.
CREATE TABLE bus_probe_receipts (
    probe_id    uuid        NOT NULL,
    node_id     uuid        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (probe_id, node_id)
);
