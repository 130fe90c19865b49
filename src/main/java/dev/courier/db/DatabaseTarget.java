package dev.courier.db;

/** A PostgreSQL server to connect to, and a description for the start-up line that holds no password. */
public record DatabaseTarget(String jdbcUrl, String user, String password, String description) {
}
