-- Payloads of the LISTEN/NOTIFY bus too large for a notification's 8,000 bytes: a changed message with a long body.
-- The publishing node stores one here in the transaction of the notification that names it; the other nodes read it
-- when the notification arrives, and rows are deleted minutes later (bus.PostgresBus). A change cannot travel as a
-- reference to its message's row, as a new message does: the row may show a later change by then. UNLOGGED: a crash
-- loses the notifications that name these rows as well.
-- Never edit this file after it has landed.
CREATE UNLOGGED TABLE bus_payloads (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payload    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
