package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.VirtualUser;
import java.util.List;

/** A conversation the load tester opened, with every member (its sender included). */
record LoadConversation(long id, String type, List<VirtualUser> members) {
}
