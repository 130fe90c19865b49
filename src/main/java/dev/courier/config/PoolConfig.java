package dev.courier.config;

import java.time.Duration;

/**
 * How the connection pool and each of its connections behave.
 *
 * @param maxSize             connections in the pool; HikariCP's guidance is cores x 2 + spindles, and more
 *                            only queues inside PostgreSQL
 * @param acquireTimeout      how long a caller may wait for a connection before it is told the server is overloaded
 * @param statementTimeout    PostgreSQL cancels a statement that runs longer
 * @param idleInTransactionTimeout PostgreSQL ends a session idle inside a transaction this long, rolling it back
 * @param lockTimeout         PostgreSQL gives up waiting for a row or table lock after this long
 * @param leakWarning         a lease whose thread has done no database work for longer is a suspected leak; one
 *                            held longer by work still running (waiting for a core or for PostgreSQL) is reported
 *                            as saturation instead
 * @param leakReclaim         a lease held longer is taken back
 */
public record PoolConfig(
        int maxSize,
        Duration acquireTimeout,
        Duration statementTimeout,
        Duration idleInTransactionTimeout,
        Duration lockTimeout,
        Duration leakWarning,
        Duration leakReclaim) {

    public static int recommendedSize() {
        return Math.max(4, Runtime.getRuntime().availableProcessors() * 2 + 1);
    }

    /**
     * Connections the message writers hold, one each, and which requests and socket frames can never take: work from
     * outside shares the rest. A request that leaks or waits while it holds its connection must not starve the writers
     * that every acknowledged send goes through (half the pool, at least one).
     */
    public int writerConnections() {
        return Math.max(1, maxSize / 2);
    }

    /** Connections that requests and socket frames share at most (at least one, even in a pool of one). */
    public int scopedConnections() {
        return Math.max(1, maxSize - writerConnections());
    }

    public static PoolConfig defaults() {
        return new PoolConfig(recommendedSize(), Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(30));
    }

    public PoolConfig {
        if (maxSize < 1 || maxSize > 200) {
            throw new IllegalArgumentException("--pool-size must be between 1 and 200, got " + maxSize);
        }
        if (acquireTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("--pool-acquire-timeout must be at least 250ms (HikariCP's minimum)");
        }
        requirePositive(statementTimeout, "statement timeout");
        requirePositive(idleInTransactionTimeout, "idle-in-transaction timeout");
        requirePositive(lockTimeout, "lock timeout");
        requirePositive(leakWarning, "leak warning threshold");
        if (leakReclaim.compareTo(leakWarning) < 0) {
            throw new IllegalArgumentException("the leak reclaim limit must not be below the leak warning threshold");
        }
    }

    public PoolConfig withAcquireTimeout(Duration timeout) {
        return new PoolConfig(maxSize, timeout, statementTimeout, idleInTransactionTimeout, lockTimeout, leakWarning,
                leakReclaim);
    }

    public PoolConfig withMaxSize(int size) {
        return new PoolConfig(size, acquireTimeout, statementTimeout, idleInTransactionTimeout, lockTimeout, leakWarning,
                leakReclaim);
    }

    private static void requirePositive(Duration d, String what) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("the " + what + " must be positive");
        }
    }
}
