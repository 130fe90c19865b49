package dev.courier.loadtest.generator;

import dev.courier.loadtest.client.VirtualUser;

/** One send of a run. @param sentNanos when the pacer sent it, as its clientMsgId carries (to 50 µs) */
record OutgoingMessage(long conversationId, VirtualUser sender, String clientMsgId, String body, long sentNanos) {
}
