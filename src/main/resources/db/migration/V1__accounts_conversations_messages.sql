-- Accounts, sessions, conversations, memberships and messages: the durable core of Courier.
-- Never edit this file after it has landed; add V2__... instead.

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text        NOT NULL,
    display_name  text        NOT NULL,
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- usernames are stored folded to lower case, so this key is unique ignoring case
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_username_lower CHECK (username = lower(username))
);

-- Only a hash of each session token is stored: a leaked table does not log anyone in.
CREATE TABLE sessions (
    token_hash bytea       PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE conversations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type             text        NOT NULL CHECK (type IN ('direct', 'group')),
    title            text,
    owner_id         bigint REFERENCES users (id),
    -- the two members of a direct conversation, smaller id first: one conversation per pair
    direct_user_lo   bigint REFERENCES users (id),
    direct_user_hi   bigint REFERENCES users (id),
    -- the per-conversation counter that makes seq gapless: bumped in the same transaction as the insert
    last_seq         bigint      NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conversations_direct_pair CHECK (
        (type = 'direct') = (direct_user_lo IS NOT NULL AND direct_user_hi IS NOT NULL)),
    CONSTRAINT conversations_direct_pair_order CHECK (direct_user_lo < direct_user_hi),
    CONSTRAINT conversations_group_title CHECK (type = 'direct' OR title IS NOT NULL)
);
CREATE UNIQUE INDEX conversations_direct_pair_key
    ON conversations (direct_user_lo, direct_user_hi) WHERE type = 'direct';

CREATE TABLE memberships (
    conversation_id bigint      NOT NULL REFERENCES conversations (id),
    user_id         bigint      NOT NULL REFERENCES users (id),
    read_seq        bigint      NOT NULL DEFAULT 0 CHECK (read_seq >= 0),
    joined_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

CREATE TABLE messages (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id bigint      NOT NULL REFERENCES conversations (id),
    seq             bigint      NOT NULL CHECK (seq > 0),
    sender_id       bigint      NOT NULL REFERENCES users (id),
    client_msg_id   uuid        NOT NULL,
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_conversation_seq_key UNIQUE (conversation_id, seq),
    -- idempotent send: a retried clientMsgId finds the first message instead of storing a second
    CONSTRAINT messages_sender_client_msg_id_key UNIQUE (sender_id, client_msg_id)
);
