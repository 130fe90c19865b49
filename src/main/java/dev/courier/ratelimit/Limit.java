package dev.courier.ratelimit;

import dev.courier.config.Rate;
import java.time.Duration;

/** The contract's rate limits: each name with what it is counted per and its default rate. */
public enum Limit {
    /** Accounts created, per client address. */
    ACCOUNTS("accounts", new Rate(20, Duration.ofHours(1))),
    /** Login attempts, per client address. */
    SESSIONS("sessions", new Rate(60, Duration.ofMinutes(1))),
    /** Failed logins, per username (and, five times as many, per address); empty means {@code 429} until refilled. */
    LOGIN_FAILURES("login-failures", new Rate(10, Duration.ofMinutes(15))),
    /** Messages sent, per user, REST and socket together. */
    MESSAGES("messages", new Rate(30, Duration.ofSeconds(1))),
    /** Every other write, per user. */
    WRITES("writes", new Rate(10, Duration.ofSeconds(1))),
    /**
     * Searches, per user: a burst of 30 (a client that searches as its user types, a request per pause), refilled at
     * one a second. A search reads far more than a send; one a second per user is more than a person reads.
     */
    SEARCH("search", new Rate(30, Duration.ofSeconds(30))),
    /** Exports of an account, per user: each reads everything the user ever sent. */
    EXPORTS("exports", new Rate(3, Duration.ofHours(1)));

    private final String configName;
    private final Rate defaultRate;

    Limit(String configName, Rate defaultRate) {
        this.configName = configName;
        this.defaultRate = defaultRate;
    }

    /** The name used in {@code --rate-limits} and stored with each bucket. */
    public String configName() {
        return configName;
    }

    public Rate defaultRate() {
        return defaultRate;
    }
}
