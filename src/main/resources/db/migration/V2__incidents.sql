-- Incidents that Courier records about itself: opened by a firing alert, resolved when its alerts clear.
CREATE TABLE incidents (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title            text        NOT NULL,
    opened_at        timestamptz NOT NULL,
    resolved_at      timestamptz,
    -- measured impact while the incident was open
    requests         bigint      NOT NULL DEFAULT 0,
    failed_requests  bigint      NOT NULL DEFAULT 0,
    active_users     integer     NOT NULL DEFAULT 0,
    affected_users   integer     NOT NULL DEFAULT 0,
    -- timeline entries lost because the in-memory buffer overflowed while the database was away
    dropped_entries  integer     NOT NULL DEFAULT 0
);
CREATE INDEX incidents_open_idx ON incidents (opened_at) WHERE resolved_at IS NULL;

CREATE TABLE incident_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint      NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    kind        text        NOT NULL,
    summary     text        NOT NULL,
    data        jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, at, id);
