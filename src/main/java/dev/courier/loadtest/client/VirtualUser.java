package dev.courier.loadtest.client;

/** A user the load tester registered and logged in itself. */
public record VirtualUser(long id, String username, String token) {
}
