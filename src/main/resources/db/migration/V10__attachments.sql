-- Attachments: files a user uploads and then sends with messages. Never edit this file after it has landed.
-- append_messages, which links a send's attachments to its message, is in R__append_messages.sql.

-- One row per distinct content, keyed by its SHA-256 (hex): a file uploaded twice is stored once. Its bytes live
-- in attachment_chunks (the default) or in a file named by the hash under --attachments-dir; which one is the
-- server's configuration, not the row's. last_used_at moves whenever an upload finds the blob already there, so
-- that the sweeper, which removes blobs no attachment names, never removes one an upload is about to name.
CREATE TABLE attachment_blobs (
    sha256       text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size         bigint      NOT NULL CHECK (size >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now()
);

-- The bytes of a blob stored in PostgreSQL, in chunks of at most 256 KiB (idx 0, 1, 2, ...), so that a range is read
-- without reading the rest and no statement carries a whole file. Written in the transaction that makes the upload
-- visible: an upload that fails leaves no chunk behind.
CREATE TABLE attachment_chunks (
    sha256 text    NOT NULL REFERENCES attachment_blobs (sha256) ON DELETE CASCADE,
    idx    integer NOT NULL CHECK (idx >= 0),
    data   bytea   NOT NULL,
    PRIMARY KEY (sha256, idx)
);
-- Chunks are written once and read whole; compressing them is wasted work for the pictures and archives most are.
ALTER TABLE attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- One row per upload. id is 22 characters of base64url (128 random bits): not guessable, so a leaked message id
-- or a counter tells nobody where a file is. The uploader's quota counts every upload, deduplicated or not.
CREATE TABLE attachments (
    id           text        PRIMARY KEY,
    uploader_id  bigint      NOT NULL REFERENCES users (id),
    sha256       text        NOT NULL REFERENCES attachment_blobs (sha256),
    filename     text        NOT NULL,
    content_type text        NOT NULL,
    size         bigint      NOT NULL CHECK (size >= 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_uploader_idx ON attachments (uploader_id);
CREATE INDEX attachments_sha256_idx ON attachments (sha256);

-- Which message (and so which conversation) each attachment was sent with: who may read it (the members of these
-- conversations, and its uploader), and which attachments are not orphans. A delete of the message removes its rows.
CREATE TABLE message_attachments (
    attachment_id   text   NOT NULL REFERENCES attachments (id),
    message_id      bigint NOT NULL REFERENCES messages (id),
    conversation_id bigint NOT NULL REFERENCES conversations (id),
    PRIMARY KEY (attachment_id, message_id)
);
CREATE INDEX message_attachments_message_idx ON message_attachments (message_id);

-- A message's attachments as the message object shows them ([{"id", "filename", "contentType", "size", "sha256",
-- "createdAt"}], in the order sent), written by the send: an attachment never changes once uploaded, so every read of
-- a message (history, stream, changes) has them without a join. Emptied by a delete. A constant default: adding the
-- column rewrites no row.
ALTER TABLE messages ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]';
