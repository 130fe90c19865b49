-- The current definition of append_messages and of the payloads announcing what it stores. Flyway runs this file after
-- the versioned migrations whenever its text changes, on a fresh database and on one migrated long ago alike, so a
-- change to either function is an edit here, not a new copy in a V migration (V4, V5 and V6 each restated
-- append_messages; they stay as they landed). Every statement must therefore be safe to run again: CREATE OR REPLACE,
-- DROP ... IF EXISTS. CREATE OR REPLACE cannot change a function's parameters or result columns; a change to those
-- is a function of a new signature beside the old one (as the send's replies brought), or a V migration that drops the
-- old signature first. A node of an earlier version that has this file runs its own copy when it starts on the
-- database (one from before the file refuses to start: docs/stream.md, on rolling upgrades), so the functions of each
-- version must serve the code of the others: keep the signatures, the rows returned and the payloads' meaning as they
-- are. One exception: the copy of a node from before V7 builds rows of the seven columns messages had, which V7's
-- columns break, so once V7 has run only nodes of its version or later may start on the database.

-- The members of conversation p_conversation that p_body names with @username, in the order first named. A name ends
-- at the first character a username cannot hold; "@bob." and "@bob-" also name bob, since a sentence may end there. An
-- @ inside a word (an address such as ann@example.org) names nobody. Sends and edits alike store what this returns.
CREATE OR REPLACE FUNCTION message_mentions(p_conversation bigint, p_body text)
    RETURNS bigint[]
    LANGUAGE plpgsql STABLE AS
$$
BEGIN
    IF strpos(p_body, '@') = 0 THEN
        RETURN '{}';
    END IF;
    RETURN (
        SELECT coalesce(array_agg(named.user_id ORDER BY named.first, named.user_id), '{}')
          FROM (SELECT u.id AS user_id, min(t.n) AS first
                  FROM regexp_matches(p_body, '(?<![A-Za-z0-9_.@-])@([A-Za-z0-9_.-]+)', 'g') WITH ORDINALITY AS t(m, n)
                  JOIN users u ON u.username IN (lower(t.m[1]), lower(rtrim(t.m[1], '.-')))
                  JOIN memberships ms ON ms.conversation_id = p_conversation AND ms.user_id = u.id
                 GROUP BY u.id) named);
END;
$$;

-- The notification payloads that announce p_messages to the other nodes, in p_messages' order (so each conversation's
-- in seq order), as few as fit them. This is the one SQL definition of the bus payload of a stored message: it writes
-- the batch shape that dev.courier.bus.BusCodec defines and decodes, and StoredMessagePayloadTest holds the two to one
-- fixed payload. p_origin leads every payload, byte for byte as BusCodec writes it, so that the storing node's own
-- listener recognises the payload by its prefix and skips it unparsed. Each payload is at most 7,900 bytes, the
-- limit PostgresBus.MAX_PAYLOAD_BYTES keeps every payload of the bus under (PostgreSQL's 8,000 bytes count the
-- channel name too); a message that would not fit a payload alone travels as its reference, and the receivers read
-- its row. The JSON must keep decoding the same in an older node's BusCodec: nodes of two versions share the bus
-- during a rolling restart. So a message travels in the fields V6 wrote, and replyTo, mentions and attachments follow
-- only when the send set them: a plain message's payload is the one V6 wrote, byte for byte, which a node from before V7 decodes
-- (one that cannot decode a reply catches up from the table instead). A newly stored message has no reactions, no
-- edit and no delete, and its change counter is 0: like BusCodec, the payload leaves them out.
CREATE OR REPLACE FUNCTION message_announcements(p_origin text, p_messages messages[])
    RETURNS text[]
    LANGUAGE plpgsql STABLE AS
$$
DECLARE
    max_bytes CONSTANT integer := 7900;
    head CONSTANT text := '{"o":' || to_json(p_origin)::text || ',"k":"b","e":[';
    m messages;
    message text;
    event text;
    pending text;
    payloads text[] := '{}';
BEGIN
    -- Built as text rather than with json_agg: each event's size decides which payload it joins, and whether the
    -- message travels whole.
    FOREACH m IN ARRAY p_messages LOOP
        message := json_build_object('id', m.id, 'conversationId', m.conversation_id, 'seq', m.seq,
                                     'senderId', m.sender_id, 'clientMsgId', m.client_msg_id, 'body', m.body,
                                     'createdAt', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text;
        IF m.reply_to IS NOT NULL THEN
            message := left(message, -1) || ', "replyTo" : ' || m.reply_to || '}';
        END IF;
        IF cardinality(m.mentions) > 0 THEN
            message := left(message, -1) || ', "mentions" : ' || to_json(m.mentions)::text || '}';
        END IF;
        IF jsonb_array_length(m.attachments) > 0 THEN
            message := left(message, -1) || ', "attachments" : ' || m.attachments::text || '}';
        END IF;
        event := '{"k":"m","m":' || message || '}';
        -- "]}" closes every payload
        IF octet_length(head) + octet_length(event) + 2 > max_bytes THEN
            event := '{"k":"M","c":' || m.conversation_id || ',"s":' || m.seq || '}';
        END IF;
        IF pending IS NOT NULL AND octet_length(pending) + 1 + octet_length(event) + 2 > max_bytes THEN
            payloads := payloads || (pending || ']}');
            pending := NULL;
        END IF;
        pending := CASE WHEN pending IS NULL THEN head || event ELSE pending || ',' || event END;
    END LOOP;
    IF pending IS NOT NULL THEN
        payloads := payloads || (pending || ']}');
    END IF;
    RETURN payloads;
END;
$$;

-- A batch of sends stored in one statement, so one round trip to the database acknowledges the whole batch (a writer
-- holds its connection for every round trip it makes).
--
-- For the i-th send (1-based) of the batch the function returns one row:
--   member  false: the sender is not a member of the conversation; nothing else is set.
--   created true:  this send stored the row returned.
--   created false: the sender's clientMsgId was stored before (by an earlier request, or earlier in this batch);
--                  the row returned is that first message as it is now (edited or deleted since, perhaps), which
--                  the caller compares with the send. When no row
--                  comes back (id null), the send's reply_to named no message of the conversation, and nothing
--                  was stored for it.
-- p_attachments holds each send's attachments as the message object shows them (a JSON array, checked and written by
-- dev.courier.attachments), NULL for none; the whole array is NULL for a batch without any, which then costs nothing
-- more than a plain batch. A new message's attachments are linked to it in message_attachments.
-- p_reply_tos holds each send's reply_to, 0 for none. A reply names a message stored before the batch: every seq up to
-- the conversation's last_seq exists, since seqs are gapless and a delete leaves a tombstone.
-- seq stays gapless: the counter and the rows change in the same statement, and a retried clientMsgId, or a reply to
-- nothing, is recognised before any seq is claimed. If another transaction stores one of the batch's clientMsgIds at
-- the same time, the insert fails with unique_violation and nothing of the batch is kept; calling again then finds
-- that message. mentions are resolved by message_mentions, only for a body that holds an @.
--
-- p_announce_to, when not null, is the channel on which the batch's new messages are announced to the other nodes
-- (message_announcements, with p_origin at the head of each payload), with pg_notify inside the storing transaction:
-- PostgreSQL delivers the notifications at commit and drops them on rollback, so the other nodes hear of a message
-- exactly when it becomes visible, and announcing costs no statement of its own.
--
-- PL/pgSQL, looping over the rows, rather than one SQL statement that also builds the notifications: the window and
-- aggregate such a statement needs cost more than the loop (bench/results/2026-11-26-write-path.md), and PL/pgSQL
-- keeps its statements' plans for the session.
CREATE OR REPLACE FUNCTION append_messages(p_senders bigint[], p_conversations bigint[], p_client_msg_ids uuid[],
                                p_bodies text[], p_reply_tos bigint[], p_attachments text[],
                                p_announce_to text, p_origin text)
    RETURNS TABLE (idx integer, member boolean, created boolean, id bigint, conversation_id bigint, seq bigint,
                   sender_id bigint, client_msg_id uuid, body text, created_at timestamptz, edited_at timestamptz,
                   deleted_at timestamptz, reply_to bigint, mentions bigint[], reactions jsonb, change_seq bigint,
                   attachments jsonb)
    LANGUAGE plpgsql AS
$$
#variable_conflict use_column
DECLARE
    r record;
    announced messages[];
    linked messages[];
    payload text;
BEGIN
    -- Lock the counters first, in id order: two batches (from two nodes) sharing conversations queue instead of
    -- deadlocking, and the statement below takes its snapshot after the lock, so it sees every earlier batch.
    PERFORM 1 FROM conversations c
     WHERE c.id = ANY (p_conversations)
     ORDER BY c.id
       FOR UPDATE;

    FOR r IN
        WITH batch AS (
            SELECT b.i::integer AS i, b.s, b.c, b.k, b.t, nullif(b.r, 0) AS r, b.a
              FROM unnest(p_senders, p_conversations, p_client_msg_ids, p_bodies, p_reply_tos, p_attachments)
                   WITH ORDINALITY AS b(s, c, k, t, r, a, i)
        ), admitted AS (
            SELECT b.* FROM batch b
             WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.conversation_id = b.c AND m.user_id = b.s)
        ), stored AS (
            SELECT m AS msg, m.sender_id, m.client_msg_id
              FROM messages m
              JOIN (SELECT DISTINCT a.s, a.k FROM admitted a) a ON m.sender_id = a.s AND m.client_msg_id = a.k
        ), fresh AS (
            -- the first send of each clientMsgId not stored before, when its reply names a stored message; this
            -- snapshot's last_seq is the one before the batch (claimed raises it)
            SELECT DISTINCT ON (a.s, a.k) a.*
              FROM admitted a
              JOIN conversations c ON c.id = a.c
             WHERE NOT EXISTS (SELECT 1 FROM stored st WHERE st.sender_id = a.s AND st.client_msg_id = a.k)
               AND (a.r IS NULL OR a.r <= c.last_seq)
             ORDER BY a.s, a.k, a.i
        ), claimed AS (
            UPDATE conversations c
               SET last_seq = c.last_seq + n.count, last_activity_at = now()
              FROM (SELECT f.c, count(*) AS count FROM fresh f GROUP BY f.c) n
             WHERE c.id = n.c
            RETURNING c.id, c.last_seq, n.count
        ), inserted AS (
            INSERT INTO messages AS m (conversation_id, seq, sender_id, client_msg_id, body, reply_to, mentions,
                                       attachments)
            SELECT f.c, cl.last_seq - cl.count + row_number() OVER (PARTITION BY f.c ORDER BY f.i), f.s, f.k, f.t, f.r,
                   message_mentions(f.c, f.t), coalesce(f.a::jsonb, '[]')
              FROM fresh f
              JOIN claimed cl ON cl.id = f.c
            RETURNING m AS msg, m.sender_id, m.client_msg_id
        ), found AS (
            SELECT * FROM stored
            UNION ALL
            SELECT * FROM inserted
        )
        SELECT b.i,
               a.i IS NOT NULL AS member,
               fr.i IS NOT NULL AS created,
               f.msg
          FROM batch b
          LEFT JOIN admitted a ON a.i = b.i
          LEFT JOIN fresh fr ON fr.i = b.i
          LEFT JOIN found f ON a.i IS NOT NULL AND f.sender_id = b.s AND f.client_msg_id = b.k
         ORDER BY b.i
    LOOP
        idx := r.i;
        member := r.member;
        created := r.created;
        id := (r.msg).id;
        conversation_id := (r.msg).conversation_id;
        seq := (r.msg).seq;
        sender_id := (r.msg).sender_id;
        client_msg_id := (r.msg).client_msg_id;
        body := (r.msg).body;
        created_at := (r.msg).created_at;
        edited_at := (r.msg).edited_at;
        deleted_at := (r.msg).deleted_at;
        reply_to := (r.msg).reply_to;
        mentions := (r.msg).mentions;
        reactions := (r.msg).reactions;
        change_seq := (r.msg).change_seq;
        attachments := (r.msg).attachments;
        RETURN NEXT;
        IF r.created AND p_announce_to IS NOT NULL THEN
            announced := announced || r.msg;
        END IF;
        IF r.created AND p_attachments IS NOT NULL AND jsonb_array_length((r.msg).attachments) > 0 THEN
            linked := linked || r.msg;
        END IF;
    END LOOP;
    IF linked IS NOT NULL THEN
        INSERT INTO message_attachments (attachment_id, message_id, conversation_id)
        SELECT e.value ->> 'id', l.id, l.conversation_id
          FROM unnest(linked) l, jsonb_array_elements(l.attachments) e;
    END IF;
    IF announced IS NOT NULL THEN
        FOREACH payload IN ARRAY message_announcements(p_origin, announced) LOOP
            PERFORM pg_notify(p_announce_to, payload);
        END LOOP;
    END IF;
END;
$$;

-- The signature of the version before attachments, for its nodes while a rolling upgrade runs: their sends, which
-- carry no attachment, are stored by the function above. Dropped by a V migration once no node of that version can be
-- running.
CREATE OR REPLACE FUNCTION append_messages(p_senders bigint[], p_conversations bigint[], p_client_msg_ids uuid[],
                                p_bodies text[], p_reply_tos bigint[], p_announce_to text, p_origin text)
    RETURNS TABLE (idx integer, member boolean, created boolean, id bigint, conversation_id bigint, seq bigint,
                   sender_id bigint, client_msg_id uuid, body text, created_at timestamptz, edited_at timestamptz,
                   deleted_at timestamptz, reply_to bigint, mentions bigint[], reactions jsonb, change_seq bigint)
    LANGUAGE sql AS
$$
SELECT a.idx, a.member, a.created, a.id, a.conversation_id, a.seq, a.sender_id, a.client_msg_id, a.body, a.created_at,
       a.edited_at, a.deleted_at, a.reply_to, a.mentions, a.reactions, a.change_seq
  FROM append_messages(p_senders, p_conversations, p_client_msg_ids, p_bodies, p_reply_tos, NULL::text[],
                       p_announce_to, p_origin) a;
$$;

-- The signature of the version before replies, for its nodes while a rolling upgrade runs: their sends, which never
-- reply, are stored by the function above. Dropped by a V migration once no node of that version can be running.
CREATE OR REPLACE FUNCTION append_messages(p_senders bigint[], p_conversations bigint[], p_client_msg_ids uuid[],
                                p_bodies text[], p_announce_to text DEFAULT NULL, p_origin text DEFAULT NULL)
    RETURNS TABLE (idx integer, member boolean, created boolean, id bigint, conversation_id bigint, seq bigint,
                   sender_id bigint, client_msg_id uuid, body text, created_at timestamptz)
    LANGUAGE sql AS
$$
SELECT a.idx, a.member, a.created, a.id, a.conversation_id, a.seq, a.sender_id, a.client_msg_id, a.body, a.created_at
  FROM append_messages(p_senders, p_conversations, p_client_msg_ids, p_bodies,
                       array_fill(0::bigint, ARRAY[cardinality(p_senders)]), p_announce_to, p_origin) a;
$$;

-- Built one event of a payload until message_announcements took the whole payload over (V6 created it). Dropped after
-- the append_messages above stopped calling it, in the same transaction.
DROP FUNCTION IF EXISTS announced_message(bigint, bigint, bigint, bigint, uuid, text, timestamptz, integer);
