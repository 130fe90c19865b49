package dev.courier.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * PgBouncer's admin console (its virtual {@code pgbouncer} database) at the host and port of a database URL, read
 * with {@code SHOW} commands over a connection of its own that lives for one command. The console speaks only the
 * simple query protocol, and the role needs to be in PgBouncer's {@code admin_users} or {@code stats_users}.
 * PgBouncer releases without the fix for pgbouncer/pgbouncer#1509 (1.18 here) refuse the {@code SET
 * extra_float_digits} the JDBC driver sends after connecting, with {@code SET failed}: the caller then says it could
 * not read the console.
 */
public final class PgBouncerConsole {

    private final DatabaseTarget target;

    public PgBouncerConsole(DatabaseTarget target) {
        this.target = target;
    }

    /** The database name the URL asks PgBouncer for: the name of its entry in {@code SHOW DATABASES}. */
    public String databaseName() {
        String afterHost = target.jdbcUrl().replaceFirst("^jdbc:postgresql://[^/]*/?", "");
        int query = afterHost.indexOf('?');
        return query < 0 ? afterHost : afterHost.substring(0, query);
    }

    /** Every row of {@code SHOW what} ({@code DATABASES}, {@code POOLS}, {@code CONFIG}), column name to value. */
    public List<Map<String, String>> show(String what) throws SQLException {
        if (!what.matches("[A-Za-z_]+")) {
            throw new IllegalArgumentException("not a SHOW command: " + what);
        }
        String url = target.jdbcUrl().replaceFirst("^(jdbc:postgresql://[^/?]*)/?[^?]*", "$1/pgbouncer");
        Properties props = new Properties();
        if (target.user() != null) {
            props.setProperty("user", target.user());
        }
        if (target.password() != null) {
            props.setProperty("password", target.password());
        }
        props.setProperty("preferQueryMode", "simple");
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "10");
        List<Map<String, String>> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW " + what)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i), rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
