-- Accounts people manage and operators stop: deactivation, deletion, the session list, the audit log of the admin
-- API, and what retention and export read by. Never edit this file after it has landed; add a later V instead.

ALTER TABLE users
    -- Set by an operator; while set, login and every request with one of the user's tokens answer 403
    -- account_deactivated. Cleared by reactivation, which also deletes the sessions that stood meanwhile.
    ADD COLUMN deactivated_at timestamptz,
    -- Set when the user deleted the account: the username was released (renamed to a name no registration can
    -- take), the display name became "Deleted user" and the password hash emptied, all in that one transaction.
    ADD COLUMN deleted_at     timestamptz;

ALTER TABLE sessions
    -- The id a user names a session by (GET/DELETE /v1/me/sessions); the token hash never leaves the server.
    ADD COLUMN id           bigint GENERATED ALWAYS AS IDENTITY,
    -- Written at most once a minute per session by accounts.SessionActivity, off the request path.
    ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT now(),
    -- As the login request gave them: shown to the user so that a session they do not recognise stands out.
    ADD COLUMN user_agent   text,
    ADD COLUMN address      text,
    ADD CONSTRAINT sessions_id_key UNIQUE (id);

-- Every request to the admin API that could change something, answered or refused (web.AdminAudit writes it).
CREATE TABLE admin_audit_log (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    -- which admin token acted: the first 12 hex digits of its SHA-256, never the token
    actor    text        NOT NULL,
    -- the route as declared, e.g. "POST /v1/admin/users/{id}/deactivate"
    action   text        NOT NULL,
    -- the route's path parameters, e.g. {"id": "42"}
    target   jsonb       NOT NULL DEFAULT '{}',
    status   integer     NOT NULL
);

-- An account deletion whose messages are still being turned into tombstones. The row is written in the transaction
-- that deletes the account; accounts.AccountErasure works through the user's messages in batches, each batch
-- moving the cursor in its own transaction, and sets finished_at at the end. A node that dies halfway leaves the
-- row unfinished, and whichever node looks next carries on from the cursor.
CREATE TABLE account_deletions (
    user_id               bigint      PRIMARY KEY REFERENCES users (id),
    requested_at          timestamptz NOT NULL DEFAULT now(),
    -- the last message tombstoned, in (conversation_id, seq) order
    after_conversation_id bigint      NOT NULL DEFAULT 0,
    after_seq             bigint      NOT NULL DEFAULT 0,
    finished_at           timestamptz
);
CREATE INDEX account_deletions_unfinished_idx ON account_deletions (user_id) WHERE finished_at IS NULL;

-- A sender's messages in conversation order: the export and the erasure of an account walk them in pages.
CREATE INDEX messages_sender_conversation_seq_idx ON messages (sender_id, conversation_id, seq);

-- Messages not yet tombstoned, oldest first: retention takes its batches from the head of this index, and a
-- tombstone leaves it, so no batch wades through the tombstones of the ones before.
CREATE INDEX messages_live_created_at_idx ON messages (created_at) WHERE deleted_at IS NULL;
