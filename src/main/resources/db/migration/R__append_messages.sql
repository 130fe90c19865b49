-- The current definition of append_messages and of the payloads announcing what it stores. Flyway runs this file after
-- the versioned migrations whenever its text changes, on a fresh database and on one migrated long ago alike, so a
-- change to either function is an edit here, not a new copy in a V migration (V4, V5 and V6 each restated
-- append_messages; they stay as they landed). Every statement must therefore be safe to run again: CREATE OR REPLACE,
-- DROP ... IF EXISTS. CREATE OR REPLACE cannot change a function's parameters or result columns; a change to those
-- needs a V migration that drops the old signature first. A node of an earlier version that has this file runs its
-- own copy when it starts on the database (one from before the file refuses to start: docs/stream.md, on rolling
-- upgrades), so the functions of each version must serve the code of the others: keep the signatures, the rows
-- returned and the payloads' meaning as they are.

-- The notification payloads that announce p_messages to the other nodes, in p_messages' order (so each conversation's
-- in seq order), as few as fit them. This is the one SQL definition of the bus payload of a stored message: it writes
-- the batch shape that dev.courier.bus.BusCodec defines and decodes, and StoredMessagePayloadTest holds the two to one
-- fixed payload. p_origin leads every payload, byte for byte as BusCodec writes it, so that the storing node's own
-- listener recognises the payload by its prefix and skips it unparsed. Each payload is at most 7,900 bytes, the
-- limit PostgresBus.MAX_PAYLOAD_BYTES keeps every payload of the bus under (PostgreSQL's 8,000 bytes count the
-- channel name too); a message that would not fit a payload alone travels as its reference, and the receivers read
-- its row. The JSON must keep decoding the same in an older node's BusCodec: nodes of two versions share the bus
-- during a rolling restart.
CREATE OR REPLACE FUNCTION message_announcements(p_origin text, p_messages messages[])
    RETURNS text[]
    LANGUAGE plpgsql STABLE AS
$$
DECLARE
    max_bytes CONSTANT integer := 7900;
    head CONSTANT text := '{"o":' || to_json(p_origin)::text || ',"k":"b","e":[';
    m messages;
    event text;
    pending text;
    payloads text[] := '{}';
BEGIN
    -- Built as text rather than with json_agg: each event's size decides which payload it joins, and whether the
    -- message travels whole.
    FOREACH m IN ARRAY p_messages LOOP
        event := '{"k":"m","m":'
            || json_build_object('id', m.id, 'conversationId', m.conversation_id, 'seq', m.seq,
                                 'senderId', m.sender_id, 'clientMsgId', m.client_msg_id, 'body', m.body,
                                 'createdAt', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
            || '}';
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
--                  the row returned is that first message, which the caller compares with the send.
-- seq stays gapless: the counter and the rows change in the same statement, and a retried clientMsgId is recognised
-- before any seq is claimed. If another transaction stores one of the batch's clientMsgIds at the same time, the
-- insert fails with unique_violation and nothing of the batch is kept; calling again then finds that message.
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
                                p_bodies text[], p_announce_to text DEFAULT NULL, p_origin text DEFAULT NULL)
    RETURNS TABLE (idx integer, member boolean, created boolean, id bigint, conversation_id bigint, seq bigint,
                   sender_id bigint, client_msg_id uuid, body text, created_at timestamptz)
    LANGUAGE plpgsql AS
$$
#variable_conflict use_column
DECLARE
    r record;
    announced messages[];
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
            SELECT b.i::integer AS i, b.s, b.c, b.k, b.t
              FROM unnest(p_senders, p_conversations, p_client_msg_ids, p_bodies) WITH ORDINALITY AS b(s, c, k, t, i)
        ), admitted AS (
            SELECT b.* FROM batch b
             WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.conversation_id = b.c AND m.user_id = b.s)
        ), stored AS (
            SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.client_msg_id, m.body, m.created_at
              FROM messages m
              JOIN (SELECT DISTINCT a.s, a.k FROM admitted a) a ON m.sender_id = a.s AND m.client_msg_id = a.k
        ), fresh AS (
            -- the first send of each clientMsgId not stored before
            SELECT DISTINCT ON (a.s, a.k) a.*
              FROM admitted a
             WHERE NOT EXISTS (SELECT 1 FROM stored st WHERE st.sender_id = a.s AND st.client_msg_id = a.k)
             ORDER BY a.s, a.k, a.i
        ), claimed AS (
            UPDATE conversations c
               SET last_seq = c.last_seq + n.count, last_activity_at = now()
              FROM (SELECT f.c, count(*) AS count FROM fresh f GROUP BY f.c) n
             WHERE c.id = n.c
            RETURNING c.id, c.last_seq, n.count
        ), inserted AS (
            INSERT INTO messages AS m (conversation_id, seq, sender_id, client_msg_id, body)
            SELECT f.c, cl.last_seq - cl.count + row_number() OVER (PARTITION BY f.c ORDER BY f.i), f.s, f.k, f.t
              FROM fresh f
              JOIN claimed cl ON cl.id = f.c
            RETURNING m.id, m.conversation_id, m.seq, m.sender_id, m.client_msg_id, m.body, m.created_at
        ), found AS (
            SELECT * FROM stored
            UNION ALL
            SELECT * FROM inserted
        )
        SELECT b.i,
               a.i IS NOT NULL AS member,
               fr.i IS NOT NULL AS created,
               f.id, f.conversation_id, f.seq, f.sender_id, f.client_msg_id, f.body, f.created_at
          FROM batch b
          LEFT JOIN admitted a ON a.i = b.i
          LEFT JOIN fresh fr ON fr.i = b.i
          LEFT JOIN found f ON a.i IS NOT NULL AND f.sender_id = b.s AND f.client_msg_id = b.k
         ORDER BY b.i
    LOOP
        idx := r.i;
        member := r.member;
        created := r.created;
        id := r.id;
        conversation_id := r.conversation_id;
        seq := r.seq;
        sender_id := r.sender_id;
        client_msg_id := r.client_msg_id;
        body := r.body;
        created_at := r.created_at;
        RETURN NEXT;
        IF r.created AND p_announce_to IS NOT NULL THEN
            -- a row of messages: a column added to the table is added here too, or the cast fails
            announced := announced || ROW(r.id, r.conversation_id, r.seq, r.sender_id, r.client_msg_id, r.body,
                                          r.created_at)::messages;
        END IF;
    END LOOP;
    IF announced IS NOT NULL THEN
        FOREACH payload IN ARRAY message_announcements(p_origin, announced) LOOP
            PERFORM pg_notify(p_announce_to, payload);
        END LOOP;
    END IF;
END;
$$;

-- Built one event of a payload until message_announcements took the whole payload over (V6 created it). Dropped after
-- the append_messages above stopped calling it, in the same transaction.
DROP FUNCTION IF EXISTS announced_message(bigint, bigint, bigint, bigint, uuid, text, timestamptz, integer);
