-- A batch of sends stored in one statement, so one round trip to the database acknowledges the whole batch.
-- Each step used to be its own statement inside a transaction (seven round trips from BEGIN to COMMIT), and a
-- writer holds its connection for every one of them.
--
-- For the i-th send (1-based) of the batch the function returns one row:
--   member  false: the sender is not a member of the conversation; nothing else is set.
--   created true:  this send stored the row returned.
--   created false: the sender's clientMsgId was stored before (by an earlier request, or earlier in this batch);
--                  the row returned is that first message, which the caller compares with the send.
-- seq stays gapless: the counter and the rows change in the same statement, and a retried clientMsgId is recognised
-- before any seq is claimed. If another transaction stores one of the batch's clientMsgIds at the same time, the
-- insert fails with unique_violation and nothing of the batch is kept; calling again then finds that message.
CREATE FUNCTION append_messages(p_senders bigint[], p_conversations bigint[], p_client_msg_ids uuid[],
                                p_bodies text[])
    RETURNS TABLE (idx integer, member boolean, created boolean, id bigint, conversation_id bigint, seq bigint,
                   sender_id bigint, client_msg_id uuid, body text, created_at timestamptz)
    LANGUAGE plpgsql AS
$$
#variable_conflict use_column
BEGIN
    -- Lock the counters first, in id order: two batches (from two nodes) sharing conversations queue instead of
    -- deadlocking, and the statement below takes its snapshot after the lock, so it sees every earlier batch.
    PERFORM 1 FROM conversations c
     WHERE c.id = ANY (p_conversations)
     ORDER BY c.id
       FOR UPDATE;

    RETURN QUERY
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
           a.i IS NOT NULL,
           fr.i IS NOT NULL,
           f.id, f.conversation_id, f.seq, f.sender_id, f.client_msg_id, f.body, f.created_at
      FROM batch b
      LEFT JOIN admitted a ON a.i = b.i
      LEFT JOIN fresh fr ON fr.i = b.i
      LEFT JOIN found f ON a.i IS NOT NULL AND f.sender_id = b.s AND f.client_msg_id = b.k
     ORDER BY b.i;
END;
$$;
