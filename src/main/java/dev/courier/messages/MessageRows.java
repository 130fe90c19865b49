package dev.courier.messages;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How a {@code messages} row becomes a {@link Message}, for features that read messages in SQL of their own (search):
 * the same columns and the same mapping as the history, so that a message looks the same wherever it is shown.
 */
public final class MessageRows {

    /** The columns {@link #read} needs, for a select list; unqualified. */
    public static final String COLUMNS = MessageStore.COLUMNS;

    private MessageRows() {
    }

    /** {@link #COLUMNS} qualified with a table alias, e.g. {@code m.id, m.conversation_id, ...}. */
    public static String columns(String alias) {
        return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
    }

    public static Message read(ResultSet rs) throws SQLException {
        return MessageStore.message(rs);
    }
}
