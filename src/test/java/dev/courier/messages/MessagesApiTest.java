package dev.courier.messages;

import static dev.courier.testing.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServerExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sending, history and read markers of {@code /v1/conversations/{id}/...} against the contract. */
@ExtendWith(TestServerExtension.class)
class MessagesApiTest {

    @SharedServer
    private static ApiClient api;

    private static Response send(TestUser sender, long conversation, String clientMsgId, String body) {
        return api.post("/v1/conversations/" + conversation + "/messages", sender.token(),
                Map.of("clientMsgId", clientMsgId, "body", body));
    }

    private static Response sendRaw(TestUser sender, long conversation, String json) {
        return api.post("/v1/conversations/" + conversation + "/messages", sender.token(), json);
    }

    private static JsonNode conversation(TestUser caller, long id) {
        Response r = api.get("/v1/conversations/" + id, caller.token());
        assertThat(r.status()).isEqualTo(200);
        return r.json();
    }

    private static Response history(TestUser caller, long conversation, String query) {
        return api.get("/v1/conversations/" + conversation + "/messages" + query, caller.token());
    }

    private static List<Long> seqs(Response history) {
        return StreamSupport.stream(history.json().path("messages").spliterator(), false)
                .map(m -> m.path("seq").asLong()).toList();
    }

    private static Response markRead(TestUser caller, long conversation, Object seq) {
        return api.post("/v1/conversations/" + conversation + "/read", caller.token(), Map.of("seq", seq));
    }

    @Test
    void sendingAnswersTheStoredMessage() {
        TestUser ada = api.newUser("ada");
        TestUser bea = api.newUser("bea");
        long c = api.direct(ada, bea);
        String id = UUID.randomUUID().toString();

        Response r = send(ada, c, id, "Hello, Bea");

        assertThat(r.status()).isEqualTo(201);
        JsonNode m = r.json();
        assertThat(m.path("id").isIntegralNumber()).isTrue();
        assertThat(m.path("conversationId").asLong()).isEqualTo(c);
        assertThat(m.path("seq").asLong()).isEqualTo(1);
        assertThat(m.path("senderId").asLong()).isEqualTo(ada.id());
        assertThat(m.path("clientMsgId").asText()).isEqualTo(id);
        assertThat(m.path("body").asText()).isEqualTo("Hello, Bea");
        assertThat(Instant.parse(m.path("createdAt").asText())).isBefore(Instant.now().plusSeconds(60));
        assertThat(conversation(bea, c).path("lastSeq").asLong()).isEqualTo(1);
        assertThat(send(bea, c, UUID.randomUUID().toString(), "Hi Ada").json().path("seq").asLong()).isEqualTo(2);
    }

    @Test
    void resendingTheSameClientMsgIdReturnsTheFirstMessageAndStoresNothing() {
        TestUser cat = api.newUser("cat");
        TestUser dan = api.newUser("dan");
        long c = api.direct(cat, dan);
        String id = UUID.randomUUID().toString();
        JsonNode first = send(cat, c, id, "only once").json();

        Response again = send(cat, c, id, "only once");

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json()).isEqualTo(first);
        assertThat(seqs(history(dan, c, ""))).containsExactly(1L);
        assertThat(send(cat, c, UUID.randomUUID().toString(), "next").json().path("seq").asLong()).isEqualTo(2);
    }

    @Test
    void reusingAClientMsgIdForAnotherBodyOrConversationConflicts() {
        TestUser eli = api.newUser("eli");
        TestUser flo = api.newUser("flo");
        long c = api.direct(eli, flo);
        long other = api.group(eli, "elsewhere");
        String id = UUID.randomUUID().toString();
        send(eli, c, id, "original");

        assertError(send(eli, c, id, "edited"), 409, "client_msg_id_reused", "clientMsgId");
        assertError(send(eli, other, id, "original"), 409, "client_msg_id_reused", "clientMsgId");

        assertThat(seqs(history(eli, c, ""))).containsExactly(1L);
        assertThat(history(eli, c, "").json().path("messages").get(0).path("body").asText()).isEqualTo("original");
        assertThat(conversation(eli, other).path("lastSeq").asLong()).isZero();
        // The id belongs to its sender only: another user may use the same one.
        assertThat(send(flo, c, id, "mine").status()).isEqualTo(201);
    }

    @Test
    void bodyIsCountedInCodePoints() {
        TestUser gia = api.newUser("gia");
        long c = api.group(gia, "long bodies");

        Response fourThousandEmoji = send(gia, c, UUID.randomUUID().toString(), "\uD83D\uDE00".repeat(4000));
        assertThat(fourThousandEmoji.status()).isEqualTo(201);
        assertThat(fourThousandEmoji.json().path("body").asText()).isEqualTo("\uD83D\uDE00".repeat(4000));
        assertThat(send(gia, c, UUID.randomUUID().toString(), "a".repeat(4000)).status()).isEqualTo(201);
        assertThat(send(gia, c, UUID.randomUUID().toString(), "x").status()).isEqualTo(201);

        assertError(send(gia, c, UUID.randomUUID().toString(), "\uD83D\uDE00".repeat(4001)), 400, "validation_failed",
                "body");
        assertError(send(gia, c, UUID.randomUUID().toString(), "a".repeat(4001)), 400, "validation_failed", "body");
        assertThat(conversation(gia, c).path("lastSeq").asLong()).isEqualTo(3);
    }

    @Test
    void bodyBreakingTheRulesIsRejectedAndNothingIsStored() {
        TestUser hal = api.newUser("hal");
        long c = api.group(hal, "rules");

        for (String bad : List.of("", " ", " \t\n\r ", "\u00a0\u2003\u3000", "nul\u0000inside", "\u0000")) {
            assertError(send(hal, c, UUID.randomUUID().toString(), bad), 400, "validation_failed", "body");
        }
        String id = UUID.randomUUID().toString();
        assertError(sendRaw(hal, c, "{\"clientMsgId\": \"" + id + "\", \"body\": \"lone \\udc00 low\"}"), 400,
                "validation_failed", "body");
        assertError(sendRaw(hal, c, "{\"clientMsgId\": \"" + id + "\", \"body\": \"lone \\ud800\"}"), 400,
                "validation_failed", "body");
        assertError(sendRaw(hal, c, "{\"clientMsgId\": \"" + id + "\"}"), 400, "validation_failed", "body");
        assertError(sendRaw(hal, c, "{\"clientMsgId\": \"" + id + "\", \"body\": null}"), 400, "validation_failed",
                "body");
        assertError(sendRaw(hal, c, "{\"clientMsgId\": \"" + id + "\", \"body\": 42}"), 400, "malformed_json", "body");
        assertError(sendRaw(hal, c, "{\"clientMsgId\": \"" + id + "\", \"body\": [\"a\"]}"), 400, "malformed_json",
                "body");

        assertThat(conversation(hal, c).path("lastSeq").asLong()).isZero();
        assertThat(history(hal, c, "").json().path("messages")).isEmpty();
        // The id of a rejected send was never consumed.
        assertThat(send(hal, c, id, "fine").status()).isEqualTo(201);
    }

    @Test
    void clientMsgIdMustBeAUuid() {
        TestUser ian = api.newUser("ian");
        long c = api.group(ian, "ids");
        for (String bad : List.of("", "not-a-uuid", "1-2-3-4-5", UUID.randomUUID() + "0")) {
            assertError(send(ian, c, bad, "hi"), 400, "validation_failed", "clientMsgId");
        }
        assertError(sendRaw(ian, c, "{\"body\": \"hi\"}"), 400, "validation_failed", "clientMsgId");
        assertError(sendRaw(ian, c, "{\"clientMsgId\": 7, \"body\": \"hi\"}"), 400, "malformed_json", "clientMsgId");
        assertThat(conversation(ian, c).path("lastSeq").asLong()).isZero();
    }

    @Test
    void historyPagesForwardWithAfterAndBackwardWithBefore() {
        TestUser joy = api.newUser("joy");
        TestUser kit = api.newUser("kit");
        long c = api.direct(joy, kit);
        for (int i = 1; i <= 7; i++) {
            assertThat(send(i % 2 == 0 ? kit : joy, c, UUID.randomUUID().toString(), "m" + i).status()).isEqualTo(201);
        }

        Response all = history(kit, c, "");
        assertThat(seqs(all)).containsExactlyElementsOf(LongStream.rangeClosed(1, 7).boxed().toList());
        assertThat(all.json().path("hasMore").asBoolean()).isFalse();
        assertThat(all.json().path("messages").get(2).path("body").asText()).isEqualTo("m3");

        assertPage(history(kit, c, "?after=0&limit=3"), List.of(1L, 2L, 3L), true);
        assertPage(history(kit, c, "?after=3&limit=3"), List.of(4L, 5L, 6L), true);
        assertPage(history(kit, c, "?after=6&limit=3"), List.of(7L), false);
        assertPage(history(kit, c, "?after=4&limit=3"), List.of(5L, 6L, 7L), false);
        assertPage(history(kit, c, "?after=7"), List.of(), false);
        assertPage(history(kit, c, "?after=100"), List.of(), false);

        assertPage(history(kit, c, "?before=8&limit=3"), List.of(5L, 6L, 7L), true);
        assertPage(history(kit, c, "?before=5&limit=3"), List.of(2L, 3L, 4L), true);
        assertPage(history(kit, c, "?before=2&limit=3"), List.of(1L), false);
        assertPage(history(kit, c, "?before=4&limit=3"), List.of(1L, 2L, 3L), false);
        assertPage(history(kit, c, "?before=1"), List.of(), false);
        assertPage(history(kit, c, "?limit=1"), List.of(1L), true);
        assertPage(history(kit, c, "?limit=500"), LongStream.rangeClosed(1, 7).boxed().toList(), false);
    }

    private static void assertPage(Response page, List<Long> expectedSeqs, boolean hasMore) {
        assertThat(page.status()).as("%s", page).isEqualTo(200);
        assertThat(seqs(page)).as("%s", page).containsExactlyElementsOf(expectedSeqs);
        assertThat(page.json().path("hasMore").isBoolean()).isTrue();
        assertThat(page.json().path("hasMore").asBoolean()).as("hasMore of %s", page).isEqualTo(hasMore);
    }

    @Test
    void historyRejectsBadParametersNamingTheParameter() {
        TestUser lia = api.newUser("lia");
        long c = api.group(lia, "params");
        for (String limit : List.of("0", "501", "-3", "ten", "2.5")) {
            assertError(history(lia, c, "?limit=" + limit), 400, "validation_failed", "limit");
        }
        for (String seq : List.of("-1", "abc", "1e3")) {
            assertError(history(lia, c, "?after=" + seq), 400, "validation_failed", "after");
            assertError(history(lia, c, "?before=" + seq), 400, "validation_failed", "before");
        }
        assertError(history(lia, c, "?after=1&before=5"), 400, "validation_failed", "before");
    }

    @Test
    void readMarkerMovesOnlyForwardAndNeverBeyondLastSeq() {
        TestUser mo = api.newUser("mo_");
        TestUser ned = api.newUser("ned");
        long c = api.direct(mo, ned);
        for (int i = 0; i < 4; i++) {
            send(mo, c, UUID.randomUUID().toString(), "m" + i);
        }

        Response read = markRead(ned, c, 3);
        assertThat(read.status()).isEqualTo(204);
        assertThat(read.body()).isEmpty();
        assertThat(conversation(ned, c).path("readSeq").asLong()).isEqualTo(3);
        assertThat(conversation(ned, c).path("unread").asLong()).isEqualTo(1);

        assertThat(markRead(ned, c, 1).status()).isEqualTo(204);
        assertThat(markRead(ned, c, 0).status()).isEqualTo(204);
        assertThat(conversation(ned, c).path("readSeq").asLong()).isEqualTo(3);

        assertError(markRead(ned, c, 5), 400, "validation_failed", "seq");
        assertError(markRead(ned, c, -1), 400, "validation_failed", "seq");
        assertError(markRead(ned, c, "4"), 400, "malformed_json", "seq");
        assertError(markRead(ned, c, 3.5), 400, "malformed_json", "seq");
        assertError(api.post("/v1/conversations/" + c + "/read", ned.token(), Map.of()), 400, "validation_failed",
                "seq");
        assertThat(conversation(ned, c).path("readSeq").asLong()).isEqualTo(3);

        assertThat(markRead(ned, c, 4).status()).isEqualTo(204);
        JsonNode seen = conversation(ned, c);
        assertThat(seen.path("readSeq").asLong()).isEqualTo(4);
        assertThat(seen.path("unread").asLong()).isZero();
        // Each member's marker is its own.
        assertThat(conversation(mo, c).path("readSeq").asLong()).isZero();
    }

    @Test
    void unreadCountsOnlyOtherMembersMessagesAboveTheReadMarker() {
        TestUser ola = api.newUser("ola");
        TestUser pia = api.newUser("pia");
        TestUser qiu = api.newUser("qiu");
        long g = api.group(ola, "counting", pia, qiu);
        send(ola, g, UUID.randomUUID().toString(), "1");
        send(ola, g, UUID.randomUUID().toString(), "2");
        send(pia, g, UUID.randomUUID().toString(), "3");
        send(ola, g, UUID.randomUUID().toString(), "4");
        send(qiu, g, UUID.randomUUID().toString(), "5");

        assertThat(conversation(ola, g).path("unread").asLong()).isEqualTo(2);
        assertThat(conversation(pia, g).path("unread").asLong()).isEqualTo(4);
        assertThat(conversation(qiu, g).path("unread").asLong()).isEqualTo(4);

        markRead(pia, g, 3);
        assertThat(conversation(pia, g).path("unread").asLong()).isEqualTo(2);
        JsonNode listed = api.get("/v1/conversations", pia.token()).json().path("conversations").get(0);
        assertThat(listed.path("id").asLong()).isEqualTo(g);
        assertThat(listed.path("lastSeq").asLong()).isEqualTo(5);
        assertThat(listed.path("readSeq").asLong()).isEqualTo(3);
        assertThat(listed.path("unread").asLong()).isEqualTo(2);
    }

    @Test
    void everyPageOfTheListCountsItsOwnConversationsUnread() {
        TestUser rae = api.newUser("rae");
        TestUser sol = api.newUser("sol");
        // three groups, each with as many unread messages as its number; the last one sent to is listed first
        List<Long> groups = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            long g = api.group(sol, "unread " + n, rae);
            for (int i = 0; i < n; i++) {
                send(sol, g, UUID.randomUUID().toString(), "m" + i);
            }
            groups.add(g);
        }

        JsonNode first = api.get("/v1/conversations?limit=2", rae.token()).json();
        String next = first.path("next").asText();
        JsonNode second = api.get("/v1/conversations?limit=2&cursor=" + next, rae.token()).json();

        List<long[]> listed = new ArrayList<>();
        for (JsonNode page : List.of(first, second)) {
            page.path("conversations")
                    .forEach(c -> listed.add(new long[] {c.path("id").asLong(), c.path("unread").asLong()}));
        }
        assertThat(listed).extracting(c -> c[0]).containsExactly(groups.get(2), groups.get(1), groups.get(0));
        assertThat(listed).extracting(c -> c[1]).containsExactly(3L, 2L, 1L);
        assertThat(second.path("next").isNull()).isTrue();
    }
}
