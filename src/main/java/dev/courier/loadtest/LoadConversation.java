package dev.courier.loadtest;

import java.util.List;

/** A conversation the load tester opened, with every member (its sender included). */
record LoadConversation(long id, String type, List<VirtualUser> members) {
}
