-- append_messages announces a batch's new messages with one pg_notify per 7,900 bytes of payload instead of one
-- per message. Each notification costs the storing transaction a queue entry, and every listening node a wake-up, a
-- read of the queue and a message on its connection; in profiles of a busy server the per-message notifications were
-- a tenth of PostgreSQL's CPU and most of the listener's.
--
-- The payload is the bus's batch shape (dev.courier.bus.BusCodec): {"o":<origin>,"k":"b","e":[<event>, ...]}, each
-- event as a single payload carries it without the origin: {"k":"m","m":<message as the API shows it>}, or
-- {"k":"M","c":<conversationId>,"s":<seq>} for a message too large to travel (the receivers then read the row).
-- The events keep the batch's order, so a conversation's messages stay in seq order. A node of an older version
-- cannot decode the batch shape: until it is upgraded it logs such payloads, and its streams get the other nodes'
-- messages from the table by the stream hub's catch-up sweep, seconds late (docs/stream.md).

-- One message as an event of a batch, or its reference when the message alone would take more than p_max_bytes.
CREATE FUNCTION announced_message(p_id bigint, p_conversation_id bigint, p_seq bigint, p_sender_id bigint,
                                  p_client_msg_id uuid, p_body text, p_created_at timestamptz, p_max_bytes integer)
    RETURNS text
    LANGUAGE plpgsql STABLE AS
$$
DECLARE
    event text;
BEGIN
    event := '{"k":"m","m":'
        || json_build_object('id', p_id, 'conversationId', p_conversation_id, 'seq', p_seq,
                             'senderId', p_sender_id, 'clientMsgId', p_client_msg_id, 'body', p_body,
                             'createdAt', to_char(p_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
        || '}';
    IF octet_length(event) <= p_max_bytes THEN
        RETURN event;
    END IF;
    RETURN '{"k":"M","c":' || p_conversation_id || ',"s":' || p_seq || '}';
END;
$$;

DROP FUNCTION message_announcement(text, bigint, bigint, bigint, bigint, uuid, text, timestamptz);

-- As in V5, except for how the new messages are announced (above).
CREATE OR REPLACE FUNCTION append_messages(p_senders bigint[], p_conversations bigint[], p_client_msg_ids uuid[],
                                p_bodies text[], p_announce_to text DEFAULT NULL, p_origin text DEFAULT NULL)
    RETURNS TABLE (idx integer, member boolean, created boolean, id bigint, conversation_id bigint, seq bigint,
                   sender_id bigint, client_msg_id uuid, body text, created_at timestamptz)
    LANGUAGE plpgsql AS
$$
#variable_conflict use_column
DECLARE
    r record;
    head text;
    part text;
    pending text;
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
            IF head IS NULL THEN
                head := '{"o":' || to_json(p_origin)::text || ',"k":"b","e":[';
            END IF;
            part := announced_message(r.id, r.conversation_id, r.seq, r.sender_id, r.client_msg_id, r.body,
                                      r.created_at, 7900 - octet_length(head) - 2);
            -- 7,900 bytes at most, with the closing "]}", like every payload of the bus.
            IF pending IS NOT NULL AND octet_length(pending) + 1 + octet_length(part) + 2 > 7900 THEN
                PERFORM pg_notify(p_announce_to, pending || ']}');
                pending := NULL;
            END IF;
            pending := CASE WHEN pending IS NULL THEN head || part ELSE pending || ',' || part END;
        END IF;
    END LOOP;
    IF pending IS NOT NULL THEN
        PERFORM pg_notify(p_announce_to, pending || ']}');
    END IF;
END;
$$;
