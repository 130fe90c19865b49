-- append_messages announces every message it stores with pg_notify, inside the storing transaction, when it is told a
-- channel. PostgreSQL delivers the notifications at commit and drops them on rollback, so the other nodes hear of a
-- message exactly when it becomes visible, and the node saves the separate pg_notify transaction it used to run for
-- each batch after the commit (and the CPU of a second statement).
--
-- The payload is the bus's wire format (dev.courier.bus.BusCodec): {"o":<origin>,"k":"m","m":<message as the API
-- shows it>}, or {"o":<origin>,"k":"M","c":<conversationId>,"s":<seq>} when that would not fit PostgreSQL's 8,000-byte
-- limit (the receivers then read the row). It starts with the origin so that the storing node's own listener can
-- skip it before parsing; the node delivered the message to its own streams already.

-- PL/pgSQL rather than SQL: a SQL function that cannot be inlined is parsed and planned again on every call, which
-- cost more than the rest of a one-message batch; PL/pgSQL keeps its expressions' plans for the session.
CREATE FUNCTION message_announcement(p_origin text, p_id bigint, p_conversation_id bigint, p_seq bigint,
                                     p_sender_id bigint, p_client_msg_id uuid, p_body text,
                                     p_created_at timestamptz)
    RETURNS text
    LANGUAGE plpgsql STABLE AS
$$
DECLARE
    payload text;
BEGIN
    payload := '{"o":' || to_json(p_origin)::text || ',"k":"m","m":'
        || json_build_object('id', p_id, 'conversationId', p_conversation_id, 'seq', p_seq,
                             'senderId', p_sender_id, 'clientMsgId', p_client_msg_id, 'body', p_body,
                             'createdAt', to_char(p_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
        || '}';
    IF octet_length(payload) <= 7900 THEN
        RETURN payload;
    END IF;
    RETURN '{"o":' || to_json(p_origin)::text || ',"k":"M","c":' || p_conversation_id || ',"s":' || p_seq || '}';
END;
$$;

DROP FUNCTION append_messages(bigint[], bigint[], uuid[], text[]);

-- As in V4, plus: p_announce_to, when not null, is the channel each newly stored message is announced on, in the
-- batch's order (so in seq order within a conversation), with p_origin at the head of its payload.
CREATE FUNCTION append_messages(p_senders bigint[], p_conversations bigint[], p_client_msg_ids uuid[],
                                p_bodies text[], p_announce_to text DEFAULT NULL, p_origin text DEFAULT NULL)
    RETURNS TABLE (idx integer, member boolean, created boolean, id bigint, conversation_id bigint, seq bigint,
                   sender_id bigint, client_msg_id uuid, body text, created_at timestamptz)
    LANGUAGE plpgsql AS
$$
#variable_conflict use_column
DECLARE
    r record;
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
            PERFORM pg_notify(p_announce_to, message_announcement(p_origin, r.id, r.conversation_id, r.seq,
                                                                  r.sender_id, r.client_msg_id, r.body,
                                                                  r.created_at));
        END IF;
    END LOOP;
END;
$$;
