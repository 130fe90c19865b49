package dev.courier.messages;

import static dev.courier.testing.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Concurrently;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Edits, deletes, replies, reactions, mentions and the change counter, over REST, against the contract. */
class MessageChangesApiTest {

    @RegisterExtension
    static final TestServerExtension sharedServer = TestServerExtension.configuredBy(TestServer::patientPool);

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    private static JsonNode sent(TestUser sender, long conversation, String body) {
        Response r = api.sendMessage(sender, conversation, body);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r.json();
    }

    private static JsonNode message(TestUser caller, long conversation, long seq) {
        Response page = api.get("/v1/conversations/" + conversation + "/messages?after=" + (seq - 1) + "&limit=1",
                caller.token());
        assertThat(page.status()).as("%s", page).isEqualTo(200);
        return page.json().path("messages").get(0);
    }

    private static JsonNode conversation(TestUser caller, long id) {
        Response r = api.get("/v1/conversations/" + id, caller.token());
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.json();
    }

    private static List<Long> ids(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asLong).toList();
    }

    @Test
    void aNewMessageCarriesTheNewFieldsEmpty() {
        TestUser ada = api.newUser("ada");
        long c = api.group(ada, "fields");

        JsonNode m = sent(ada, c, "plain");

        List<String> fields = new ArrayList<>();
        m.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "conversationId", "seq", "senderId", "clientMsgId", "body",
                "createdAt", "editedAt", "deletedAt", "replyTo", "mentions", "reactions", "changeSeq", "attachments");

        assertThat(m.has("editedAt") && m.path("editedAt").isNull()).as("%s", m).isTrue();
        assertThat(m.has("deletedAt") && m.path("deletedAt").isNull()).as("%s", m).isTrue();
        assertThat(m.has("replyTo") && m.path("replyTo").isNull()).as("%s", m).isTrue();
        assertThat(m.path("mentions").isArray() && m.path("mentions").isEmpty()).as("%s", m).isTrue();
        assertThat(m.path("reactions").isArray() && m.path("reactions").isEmpty()).as("%s", m).isTrue();
        assertThat(m.path("attachments").isArray() && m.path("attachments").isEmpty()).as("%s", m).isTrue();
        assertThat(m.path("changeSeq").isIntegralNumber()).isTrue();
        assertThat(m.path("changeSeq").asLong()).isZero();
        JsonNode view = conversation(ada, c);
        assertThat(view.path("lastChangeSeq").asLong()).isZero();
        assertThat(view.path("unreadMentions").asLong()).isZero();
    }

    @Test
    void theSenderEditsAMessageAndTheAnswerIsTheMessageWithItsNewBodyAndEditedAt() {
        TestUser ada = api.newUser("ada");
        TestUser bea = api.newUser("bea");
        long c = api.direct(ada, bea);
        JsonNode original = sent(ada, c, "helo");

        Response edited = api.editMessage(ada, c, 1, "hello");

        assertThat(edited.status()).as("%s", edited).isEqualTo(200);
        JsonNode m = edited.json();
        assertThat(m.path("body").asText()).isEqualTo("hello");
        assertThat(m.path("seq").asLong()).isEqualTo(1);
        assertThat(m.path("id").asLong()).isEqualTo(original.path("id").asLong());
        assertThat(m.path("createdAt")).isEqualTo(original.path("createdAt"));
        assertThat(Instant.parse(m.path("editedAt").asText())).isAfterOrEqualTo(
                Instant.parse(original.path("createdAt").asText()));
        assertThat(m.path("changeSeq").asLong()).isEqualTo(1);
        assertThat(message(bea, c, 1)).isEqualTo(m);
        assertThat(conversation(bea, c).path("lastChangeSeq").asLong()).isEqualTo(1);
        assertThat(conversation(bea, c).path("lastSeq").asLong()).isEqualTo(1);
    }

    @Test
    void onlyTheSenderEditsAndAnotherMemberIsForbiddenWhileANonMemberFindsNothing() {
        TestUser owner = api.newUser("owner");
        TestUser member = api.newUser("member");
        TestUser outsider = api.newUser("outsider");
        long c = api.group(owner, "edits", member);
        sent(member, c, "mine");

        assertError(api.editMessage(owner, c, 1, "the owner's words"), 403, "forbidden", null);
        assertError(api.editMessage(outsider, c, 1, "an outsider's words"), 404, "not_found", null);
        assertError(api.editMessage(member, c, 2, "no such seq"), 404, "not_found", null);

        assertThat(message(owner, c, 1).path("body").asText()).isEqualTo("mine");
        assertThat(message(owner, c, 1).path("changeSeq").asLong()).isZero();
        assertThat(conversation(owner, c).path("lastChangeSeq").asLong()).isZero();
    }

    @Test
    void anEditFollowsTheBodyRulesOfASend() {
        TestUser gia = api.newUser("gia");
        long c = api.group(gia, "rules");
        sent(gia, c, "fine");

        for (String bad : List.of("", " \t ", "nul\u0000inside", "a".repeat(4001))) {
            assertError(api.editMessage(gia, c, 1, bad), 400, "validation_failed", "body");
        }
        assertError(api.patch(ApiClient.messagePath(c, 1), gia.token(), "{}"), 400, "validation_failed", "body");
        assertError(api.patch(ApiClient.messagePath(c, 1), gia.token(), "{\"body\": 7}"), 400, "malformed_json",
                "body");
        assertThat(api.editMessage(gia, c, 1, "\uD83D\uDE00".repeat(4000)).status()).isEqualTo(200);
        assertThat(conversation(gia, c).path("lastChangeSeq").asLong()).isEqualTo(1);
    }

    @Test
    void aDeleteLeavesATombstoneAtItsSeqWithTheBodyGoneFromTheDatabase() {
        TestUser ada = api.newUser("ada");
        TestUser bea = api.newUser("bea");
        long c = api.direct(ada, bea);
        sent(ada, c, "first");
        JsonNode secret = sent(ada, c, "a secret for @" + bea.username());
        assertThat(api.sendReply(bea, c, 2, "answering the secret").status()).isEqualTo(201);
        assertThat(api.react(bea, c, 2, "\uD83D\uDE2E").status()).isEqualTo(204);
        assertThat(api.sendReply(ada, c, 1, "a reply that goes").status()).isEqualTo(201);

        assertThat(api.deleteMessage(ada, c, 2).status()).isEqualTo(204);
        assertThat(api.deleteMessage(ada, c, 4).status()).isEqualTo(204);

        JsonNode tombstone = message(bea, c, 2);
        assertThat(tombstone.path("id").asLong()).isEqualTo(secret.path("id").asLong());
        assertThat(tombstone.path("body").asText()).isEmpty();
        assertThat(tombstone.path("deletedAt").isTextual()).isTrue();
        assertThat(tombstone.path("mentions")).isEmpty();
        assertThat(tombstone.path("reactions")).isEmpty();
        assertThat(tombstone.path("changeSeq").asLong()).isEqualTo(2);
        assertThat(message(bea, c, 4).path("replyTo").asLong()).as("a deleted reply keeps replyTo").isEqualTo(1);
        assertThat(message(bea, c, 3).path("replyTo").asLong()).as("a reply to a deleted message").isEqualTo(2);
        assertThat(server.queryLong("SELECT count(*) FROM messages WHERE body LIKE '%a secret for%'")).isZero();
        // History keeps its shape: every seq is there, and the unread count still counts the tombstones.
        Response history = api.get("/v1/conversations/" + c + "/messages", bea.token());
        assertThat(history.json().path("messages")).extracting(m -> m.path("seq").asLong())
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(conversation(bea, c).path("lastSeq").asLong()).isEqualTo(4);
        assertThat(conversation(bea, c).path("unread").asLong()).isEqualTo(3);
        assertThat(sent(bea, c, "after").path("seq").asLong()).isEqualTo(5);
    }

    @Test
    void deletingADeletedMessageAgainAnswers204AndChangesNothing() {
        TestUser ada = api.newUser("ada");
        long c = api.group(ada, "twice");
        sent(ada, c, "going");
        assertThat(api.deleteMessage(ada, c, 1).status()).isEqualTo(204);
        JsonNode once = message(ada, c, 1);

        assertThat(api.deleteMessage(ada, c, 1).status()).isEqualTo(204);

        assertThat(message(ada, c, 1)).isEqualTo(once);
        assertThat(conversation(ada, c).path("lastChangeSeq").asLong()).isEqualTo(1);
    }

    @Test
    void theSenderOrTheGroupsOwnerDeletesAndNoOtherMember() {
        TestUser owner = api.newUser("owner");
        TestUser member = api.newUser("member");
        TestUser other = api.newUser("other");
        long group = api.group(owner, "moderated", member, other);
        sent(member, group, "by the member");
        sent(member, group, "also by the member");
        sent(owner, group, "by the owner");
        long direct = api.direct(member, other);
        sent(member, direct, "direct");

        assertError(api.deleteMessage(other, group, 1), 403, "forbidden", null);
        assertError(api.deleteMessage(member, group, 3), 403, "forbidden", null);
        assertError(api.deleteMessage(other, direct, 1), 403, "forbidden", null);
        assertThat(conversation(owner, group).path("lastChangeSeq").asLong()).isZero();

        assertThat(api.deleteMessage(member, group, 1).status()).isEqualTo(204);
        assertThat(api.deleteMessage(owner, group, 2).status()).isEqualTo(204);
        assertThat(api.deleteMessage(owner, group, 3).status()).isEqualTo(204);
        assertThat(api.deleteMessage(member, direct, 1).status()).isEqualTo(204);
        assertThat(LongStream.rangeClosed(1, 3).mapToObj(seq -> message(other, group, seq).path("deletedAt")))
                .allMatch(JsonNode::isTextual);
    }

    @Test
    void anEditOrAReactionToADeletedMessageIsRefusedWithMessageDeleted() {
        TestUser ada = api.newUser("ada");
        TestUser bea = api.newUser("bea");
        long c = api.direct(ada, bea);
        sent(ada, c, "soon gone");
        assertThat(api.deleteMessage(ada, c, 1).status()).isEqualTo(204);

        assertError(api.editMessage(ada, c, 1, "back again"), 409, "message_deleted", null);
        assertError(api.react(bea, c, 1, "\uD83D\uDC4D"), 409, "message_deleted", null);
        assertThat(api.unreact(bea, c, 1, "\uD83D\uDC4D").status()).isEqualTo(204);

        assertThat(message(ada, c, 1).path("body").asText()).isEmpty();
        assertThat(conversation(ada, c).path("lastChangeSeq").asLong()).isEqualTo(1);
    }

    @Test
    void aReplyNamesAnEarlierMessageOfTheConversationAndNothingElse() {
        TestUser ada = api.newUser("ada");
        TestUser bea = api.newUser("bea");
        long c = api.direct(ada, bea);
        long other = api.group(ada, "elsewhere");
        sent(ada, c, "question");

        Response reply = api.sendReply(bea, c, 1, "answer");

        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json().path("replyTo").asLong()).isEqualTo(1);
        assertThat(message(ada, c, 2).path("replyTo").asLong()).isEqualTo(1);
        for (long bad : new long[] {0, -1, 3, 99}) {
            assertError(api.sendReply(bea, c, bad, "to nothing"), 400, "validation_failed", "replyTo");
        }
        assertError(api.sendReply(ada, other, 1, "to another conversation's message"), 400, "validation_failed",
                "replyTo");
        assertError(api.post("/v1/conversations/" + c + "/messages", bea.token(), "{\"clientMsgId\": \""
                + UUID.randomUUID() + "\", \"body\": \"x\", \"replyTo\": \"1\"}"), 400, "malformed_json", "replyTo");
        // Refused replies took no seq.
        assertThat(conversation(ada, c).path("lastSeq").asLong()).isEqualTo(2);
        assertThat(sent(ada, c, "next").path("seq").asLong()).isEqualTo(3);
        assertThat(conversation(ada, other).path("lastSeq").asLong()).isZero();
    }

    @Test
    void resendingAReplyWithAnotherReplyToConflictsAndAfterAnEditTheRetryLearnsTheEditedMessage() {
        TestUser ada = api.newUser("ada");
        long c = api.group(ada, "retries");
        sent(ada, c, "one");
        sent(ada, c, "two");
        String id = UUID.randomUUID().toString();
        Response first = api.post("/v1/conversations/" + c + "/messages", ada.token(),
                Map.of("clientMsgId", id, "body", "re", "replyTo", 1));
        assertThat(first.status()).isEqualTo(201);

        Response otherReply = api.post("/v1/conversations/" + c + "/messages", ada.token(),
                Map.of("clientMsgId", id, "body", "re", "replyTo", 2));
        assertError(otherReply, 409, "client_msg_id_reused", "clientMsgId");

        assertThat(api.editMessage(ada, c, 3, "re: one").status()).isEqualTo(200);
        Response retry = api.post("/v1/conversations/" + c + "/messages", ada.token(),
                Map.of("clientMsgId", id, "body", "re", "replyTo", 1));
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().path("seq").asLong()).isEqualTo(3);
        assertThat(retry.json().path("body").asText()).isEqualTo("re: one");
        assertThat(conversation(ada, c).path("lastSeq").asLong()).isEqualTo(3);
    }

    @Test
    void reactionsKeepTheOrderEachEmojiWasFirstUsedAndAGivenReactionIsGivenOnce() {
        TestUser ada = api.newUser("ada");
        TestUser bea = api.newUser("bea");
        TestUser cal = api.newUser("cal");
        long c = api.group(ada, "reactions", bea, cal);
        sent(ada, c, "react to me");
        String thumbs = "\uD83D\uDC4D";
        String party = "\uD83C\uDF89";
        String family = "\uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67"; // 5 code points

        for (Response r : List.of(api.react(bea, c, 1, thumbs), api.react(ada, c, 1, party),
                api.react(cal, c, 1, thumbs), api.react(bea, c, 1, thumbs), api.react(cal, c, 1, family))) {
            assertThat(r.status()).as("%s", r).isEqualTo(204);
        }

        JsonNode reactions = message(ada, c, 1).path("reactions");
        assertThat(reactions).extracting(r -> r.path("emoji").asText()).containsExactly(thumbs, party, family);
        assertThat(ids(reactions.get(0).path("userIds"))).containsExactly(bea.id(), cal.id());
        assertThat(ids(reactions.get(1).path("userIds"))).containsExactly(ada.id());
        // the second thumbs from bea changed nothing
        assertThat(conversation(ada, c).path("lastChangeSeq").asLong()).isEqualTo(4);

        assertThat(api.unreact(bea, c, 1, thumbs).status()).isEqualTo(204);
        assertThat(api.unreact(bea, c, 1, thumbs).status()).isEqualTo(204);
        assertThat(api.unreact(ada, c, 1, party).status()).isEqualTo(204);

        reactions = message(ada, c, 1).path("reactions");
        assertThat(reactions).extracting(r -> r.path("emoji").asText()).containsExactly(thumbs, family);
        assertThat(ids(reactions.get(0).path("userIds"))).containsExactly(cal.id());
        assertThat(message(ada, c, 1).path("changeSeq").asLong()).isEqualTo(6);
        assertThat(conversation(ada, c).path("lastChangeSeq").asLong()).isEqualTo(6);
    }

    @Test
    void anEmojiIsOneToEightCodePointsWithoutWhiteSpaceAndAMessageHoldsAtMostTwentyOfThem() {
        TestUser ada = api.newUser("ada");
        long c = api.group(ada, "emoji rules");
        sent(ada, c, "so many feelings");

        for (String bad : List.of("a b", " ", "\uD83D\uDE00\t", "123456789", "\uD83D\uDE00".repeat(9))) {
            assertError(api.react(ada, c, 1, bad), 400, "validation_failed", "emoji");
        }
        assertThat(api.react(ada, c, 1, "12345678").status()).isEqualTo(204);
        for (int i = 1; i < 20; i++) {
            assertThat(api.react(ada, c, 1, "e" + i).status()).isEqualTo(204);
        }
        assertError(api.react(ada, c, 1, "one-more"), 400, "validation_failed", "emoji");
        assertThat(api.react(ada, c, 1, "e7").status()).as("an emoji already there").isEqualTo(204);
        assertThat(message(ada, c, 1).path("reactions")).hasSize(20);
        assertThat(conversation(ada, c).path("lastChangeSeq").asLong()).isEqualTo(20);
    }

    @Test
    void aMentionOfAMemberIsStoredAndCountsAsAnUnreadMentionUntilReadEditedOrDeleted() {
        TestUser ada = api.newUser("ada");
        TestUser bea = api.newUser("bea");
        TestUser outsider = api.newUser("outsider");
        long c = api.group(ada, "mentions", bea);

        JsonNode m = sent(ada, c, "hi @" + bea.username().toUpperCase() + ", and @" + outsider.username()
                + " and mail@" + bea.username() + " and @nobody-at-all.");
        sent(ada, c, "@" + bea.username() + ". again");
        sent(bea, c, "I mention myself, @" + bea.username());
        sent(ada, c, "no mention");

        assertThat(ids(m.path("mentions"))).containsExactly(bea.id());
        assertThat(conversation(bea, c).path("unreadMentions").asLong()).isEqualTo(2);
        assertThat(conversation(bea, c).path("unread").asLong()).isEqualTo(3);
        assertThat(conversation(ada, c).path("unreadMentions").asLong()).isZero();

        assertThat(ids(api.editMessage(ada, c, 2, "no longer").json().path("mentions"))).isEmpty();
        assertThat(conversation(bea, c).path("unreadMentions").asLong()).isEqualTo(1);
        assertThat(ids(api.editMessage(ada, c, 4, "now @" + bea.username() + " and @" + ada.username())
                .json().path("mentions"))).containsExactly(bea.id(), ada.id());
        assertThat(conversation(bea, c).path("unreadMentions").asLong()).isEqualTo(2);
        assertThat(api.deleteMessage(ada, c, 1).status()).isEqualTo(204);
        assertThat(conversation(bea, c).path("unreadMentions").asLong()).isEqualTo(1);

        assertThat(api.post("/v1/conversations/" + c + "/read", bea.token(), Map.of("seq", 4)).status())
                .isEqualTo(204);
        assertThat(conversation(bea, c).path("unreadMentions").asLong()).isZero();
        JsonNode listed = api.get("/v1/conversations", bea.token()).json().path("conversations").get(0);
        assertThat(listed.path("unreadMentions").asLong()).isZero();
        assertThat(listed.path("lastChangeSeq").asLong()).isEqualTo(3);
    }

    @Test
    void changedAfterPagesThroughTheChangesInChangeSeqOrderWithTheLatestStateOfEachMessage() {
        TestUser ada = api.newUser("ada");
        long c = api.group(ada, "paging changes");
        for (int i = 1; i <= 4; i++) {
            sent(ada, c, "m" + i);
        }
        api.editMessage(ada, c, 3, "m3 edited");   // change 1
        api.react(ada, c, 1, "\u2764\uFE0F");      // change 2
        api.editMessage(ada, c, 2, "m2 edited");   // change 3
        api.editMessage(ada, c, 3, "m3 again");    // change 4: message 3 leaves change 1 behind
        api.deleteMessage(ada, c, 4);              // change 5

        JsonNode all = api.changesAfter(ada, c, 0, 50).json();
        assertThat(all.path("messages")).extracting(m -> m.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(all.path("messages")).extracting(m -> m.path("changeSeq").asLong()).containsExactly(2L, 3L, 4L, 5L);
        assertThat(all.path("messages").get(2).path("body").asText()).isEqualTo("m3 again");
        assertThat(all.path("hasMore").asBoolean()).isFalse();

        JsonNode first = api.changesAfter(ada, c, 0, 2).json();
        assertThat(first.path("messages")).extracting(m -> m.path("changeSeq").asLong()).containsExactly(2L, 3L);
        assertThat(first.path("hasMore").asBoolean()).isTrue();
        JsonNode second = api.changesAfter(ada, c, 3, 2).json();
        assertThat(second.path("messages")).extracting(m -> m.path("changeSeq").asLong()).containsExactly(4L, 5L);
        assertThat(second.path("hasMore").asBoolean()).isFalse();
        assertThat(api.changesAfter(ada, c, 5, 2).json().path("messages")).isEmpty();

        assertError(api.get("/v1/conversations/" + c + "/messages?changedAfter=0&after=1", ada.token()), 400,
                "validation_failed", "changedAfter");
        assertError(api.get("/v1/conversations/" + c + "/messages?changedAfter=-1", ada.token()), 400,
                "validation_failed", "changedAfter");
        assertError(api.changesAfter(api.newUser("outsider"), c, 0, 50), 404, "not_found", null);
    }

    @Test
    void manyConcurrentReactionsAndEditsRaiseTheChangeCounterOncePerChangeWithoutAGap() throws Exception {
        TestUser owner = api.newUser("owner");
        List<TestUser> members = api.newUsers("fan", 12);
        long c = api.group(owner, "storm", members.toArray(TestUser[]::new));
        sent(owner, c, "react to this");
        sent(owner, c, "edit this");

        List<Response> answers = Concurrently.run(36, i -> switch (i % 3) {
            case 0 -> api.react(members.get(i / 3), c, 1, "\uD83D\uDD25");
            case 1 -> api.react(members.get(i / 3), c, 1, "\uD83D\uDC4F");
            default -> api.editMessage(owner, c, 2, "edit " + i);
        });

        assertThat(answers).extracting(Response::status).containsOnly(200, 204);
        assertThat(conversation(owner, c).path("lastChangeSeq").asLong()).isEqualTo(36);
        JsonNode reactions = message(owner, c, 1).path("reactions");
        assertThat(reactions).hasSize(2);
        assertThat(reactions).allSatisfy(r -> assertThat(ids(r.path("userIds")))
                .containsExactlyInAnyOrderElementsOf(members.stream().map(TestUser::id).toList()));
        // the message's changeSeq is the last change to it; the two are the newest changes of all
        List<Long> lastChanges = List.of(message(owner, c, 1).path("changeSeq").asLong(),
                message(owner, c, 2).path("changeSeq").asLong());
        assertThat(lastChanges).contains(36L).allMatch(seq -> seq > 0 && seq <= 36);
        assertThat(conversation(owner, c).path("lastSeq").asLong()).isEqualTo(2);
    }
}
