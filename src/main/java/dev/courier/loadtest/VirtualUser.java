package dev.courier.loadtest;

/** A user the load tester registered and logged in itself. */
record VirtualUser(long id, String username, String token) {
}
