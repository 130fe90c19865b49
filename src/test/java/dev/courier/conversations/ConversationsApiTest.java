package dev.courier.conversations;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /v1/conversations} and its members against the contract. */
class ConversationsApiTest {

    // many requests at once, not a shedding test
    @RegisterExtension
    static final TestServerExtension sharedServer = TestServerExtension.configuredBy(TestServer::patientPool);
    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    private static Response createDirect(TestUser caller, Object members) {
        return api.post("/v1/conversations", caller.token(), Map.of("type", "direct", "members", members));
    }

    private static Response createGroup(TestUser caller, String title, List<Long> members) {
        return api.post("/v1/conversations", caller.token(), Map.of("type", "group", "title", title,
                "members", members));
    }

    private static List<Long> memberIds(JsonNode conversation) {
        return StreamSupport.stream(conversation.path("members").spliterator(), false)
                .map(m -> m.path("id").asLong()).toList();
    }

    @Test
    void directConversationIsCreatedOnceThenFoundByEitherMember() {
        TestUser ann = api.newUser("ann");
        TestUser ben = api.newUser("ben");

        Response created = createDirect(ann, List.of(ben.id()));
        assertThat(created.status()).isEqualTo(201);
        JsonNode c = created.json();
        assertThat(c.path("type").asText()).isEqualTo("direct");
        assertThat(c.path("title").isNull()).isTrue();
        assertThat(c.path("ownerId").isNull()).isTrue();
        assertThat(memberIds(c)).containsExactlyInAnyOrder(ann.id(), ben.id());
        assertThat(c.path("members").get(0).has("username")).isTrue();
        assertThat(c.path("lastSeq").asLong()).isZero();
        assertThat(c.path("readSeq").asLong()).isZero();
        assertThat(c.path("unread").asLong()).isZero();
        assertThat(c.path("createdAt").asText()).isNotEmpty();

        Response again = createDirect(ann, List.of(ben.id()));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("id").asLong()).isEqualTo(c.path("id").asLong());

        Response fromOtherSide = createDirect(ben, List.of(ann.id()));
        assertThat(fromOtherSide.status()).isEqualTo(200);
        assertThat(fromOtherSide.json().path("id").asLong()).isEqualTo(c.path("id").asLong());
    }

    @Test
    void theConversationObjectCarriesEveryMembersReadMarkerInMemberOrder() {
        TestUser owner = api.newUser("owner");
        TestUser reader = api.newUser("reader");
        TestUser silent = api.newUser("silent");
        long group = createGroup(owner, "markers", List.of(reader.id(), silent.id())).json().path("id").asLong();
        for (int i = 0; i < 3; i++) {
            assertThat(api.sendMessage(owner, group, "m" + i).status()).isEqualTo(201);
        }
        assertThat(api.post("/v1/conversations/" + group + "/read", reader.token(), Map.of("seq", 2)).status())
                .isEqualTo(204);
        assertThat(api.post("/v1/conversations/" + group + "/read", owner.token(), Map.of("seq", 3)).status())
                .isEqualTo(204);

        for (TestUser viewer : List.of(owner, reader, silent)) {
            JsonNode conversation = api.get("/v1/conversations/" + group, viewer.token()).json();
            assertThat(conversation.path("readMarkers")).extracting(m -> m.path("userId").asLong())
                    .containsExactlyElementsOf(memberIds(conversation));
            assertThat(conversation.path("readMarkers")).extracting(m -> m.path("seq").asLong())
                    .containsExactly(3L, 2L, 0L);
            assertThat(conversation.path("readMarkers").get(0).properties()).hasSize(2);
        }
        JsonNode listed = api.get("/v1/conversations", silent.token()).json().path("conversations").get(0);
        assertThat(listed.path("readMarkers")).extracting(m -> m.path("seq").asLong()).containsExactly(3L, 2L, 0L);
        // a marker never moves back, and the object shows what is stored
        api.post("/v1/conversations/" + group + "/read", reader.token(), Map.of("seq", 1));
        assertThat(api.get("/v1/conversations/" + group, owner.token()).json().path("readMarkers").get(1)
                .path("seq").asLong()).isEqualTo(2);
    }

    @Test
    void concurrentDirectCreatesFromBothSidesEndWithOneConversation() throws Exception {
        TestUser cal = api.newUser("cal");
        TestUser dee = api.newUser("dee");

        List<Response> answers = Concurrently.run(16, i -> i % 2 == 0
                ? createDirect(cal, List.of(dee.id())) : createDirect(dee, List.of(cal.id())));

        assertThat(answers).extracting(Response::status).containsOnly(200, 201);
        assertThat(answers).filteredOn(r -> r.status() == 201).hasSize(1);
        assertThat(answers).extracting(r -> r.json().path("id").asLong()).containsOnly(
                answers.getFirst().json().path("id").asLong());
        assertThat(api.get("/v1/conversations", cal.token()).json().path("conversations")).hasSize(1);
    }

    @Test
    void directConversationNeedsExactlyOneOtherKnownUser() {
        TestUser eve = api.newUser("eve");
        TestUser fox = api.newUser("fox");
        TestUser gil = api.newUser("gil");

        assertError(createDirect(eve, List.of(eve.id())), 400, "validation_failed", "members");
        assertError(createDirect(eve, List.of(999_999_999L)), 400, "validation_failed", "members");
        assertError(createDirect(eve, List.of()), 400, "validation_failed", "members");
        assertError(createDirect(eve, List.of(fox.id(), gil.id())), 400, "validation_failed", "members");
        assertError(createDirect(eve, "not a list"), 400, "malformed_json", "members");
        assertError(createDirect(eve, List.of("1")), 400, "malformed_json", "members");
        assertError(api.post("/v1/conversations", eve.token(), Map.of("type", "direct")), 400, "validation_failed",
                "members");
        assertError(api.post("/v1/conversations", eve.token(), Map.of("type", "channel", "members", List.of())),
                400, "validation_failed", "type");
        assertError(api.post("/v1/conversations", eve.token(), Map.of("members", List.of(fox.id()))), 400,
                "validation_failed", "type");
        assertThat(api.get("/v1/conversations", eve.token()).json().path("conversations")).isEmpty();
    }

    @Test
    void groupCreatorIsOwnerAndMember() {
        TestUser hana = api.newUser("hana");
        TestUser ivo = api.newUser("ivo");
        TestUser jan = api.newUser("jan");

        Response created = createGroup(hana, "Weekend plans", List.of(ivo.id(), jan.id(), ivo.id()));

        assertThat(created.status()).isEqualTo(201);
        JsonNode g = created.json();
        assertThat(g.path("type").asText()).isEqualTo("group");
        assertThat(g.path("title").asText()).isEqualTo("Weekend plans");
        assertThat(g.path("ownerId").asLong()).isEqualTo(hana.id());
        assertThat(memberIds(g)).containsExactlyInAnyOrder(hana.id(), ivo.id(), jan.id());
        assertThat(api.get("/v1/conversations/" + g.path("id").asLong(), jan.token()).status()).isEqualTo(200);
        // A group of one (the creator only) is allowed.
        assertThat(createGroup(hana, "notes to self", List.of()).status()).isEqualTo(201);
    }

    @Test
    void groupTitleMustBeOneTo100CodePoints() {
        TestUser kai = api.newUser("kai");
        assertThat(createGroup(kai, "\uD83C\uDF89".repeat(100), List.of()).status()).isEqualTo(201);
        assertError(createGroup(kai, "", List.of()), 400, "validation_failed", "title");
        assertError(createGroup(kai, "t".repeat(101), List.of()), 400, "validation_failed", "title");
        assertError(createGroup(kai, "nul\u0000title", List.of()), 400, "validation_failed", "title");
        assertError(api.post("/v1/conversations", kai.token(), Map.of("type", "group", "members", List.of())), 400,
                "validation_failed", "title");
        assertThat(api.get("/v1/conversations", kai.token()).json().path("conversations")).hasSize(1);
    }

    @Test
    void groupWithAnUnknownMemberIsRejectedAndNotStored() {
        TestUser lou = api.newUser("lou");
        TestUser max = api.newUser("max");
        assertError(createGroup(lou, "ghosts", List.of(max.id(), 999_999_999L)), 400, "validation_failed", "members");
        assertThat(api.get("/v1/conversations", lou.token()).json().path("conversations")).isEmpty();
        assertThat(api.get("/v1/conversations", max.token()).json().path("conversations")).isEmpty();
    }

    @Test
    void groupHoldsAtMostOneThousandMembers() {
        TestUser owner = api.newUser("big");
        String prefix = "bulk" + (System.nanoTime() % 100_000) + "_";
        // 1,000 other users straight into the table: registering them through the API would hash 1,000 passwords.
        server.sql("INSERT INTO users (username, display_name, password_hash) SELECT '" + prefix + "' || g, 'b', 'x'"
                + " FROM generate_series(1, 1000) g");
        long first = api.get("/v1/users/" + prefix + "1", owner.token()).json().path("id").asLong();
        long last = api.get("/v1/users/" + prefix + "1000", owner.token()).json().path("id").asLong();
        assertThat(last - first).isEqualTo(999);
        List<Long> all = LongStream.rangeClosed(first, last).boxed().toList();

        assertError(createGroup(owner, "too many", all), 400, "validation_failed", "members");
        Response full = createGroup(owner, "exactly full", all.subList(0, 999));
        assertThat(full.status()).isEqualTo(201);
        assertThat(full.json().path("members")).hasSize(1000);

        long id = full.json().path("id").asLong();
        assertError(api.post("/v1/conversations/" + id + "/members", owner.token(), Map.of("userId", last)), 400,
                "validation_failed", "userId");
    }

    @Test
    void listPagesByCursorWithMostRecentActivityFirst() {
        TestUser nia = api.newUser("nia");
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(createDirect(nia, List.of(api.newUser("peer").id())).json().path("id").asLong());
        }
        // Activity order, most recent first: a message in the oldest conversation moves it to the top.
        api.sendMessage(new TestUser(nia.id(), nia.username(), nia.token()), ids.get(0), "bump");
        List<Long> expected = List.of(ids.get(0), ids.get(4), ids.get(3), ids.get(2), ids.get(1));

        List<Long> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = api.get("/v1/conversations?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                    nia.token());
            assertThat(page.status()).isEqualTo(200);
            JsonNode body = page.json();
            assertThat(body.path("conversations").size()).isLessThanOrEqualTo(2);
            body.path("conversations").forEach(c -> seen.add(c.path("id").asLong()));
            assertThat(body.has("next")).isTrue();
            cursor = body.path("next").isNull() ? null : body.path("next").asText();
            pages++;
        } while (cursor != null && pages < 10);

        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(3);
        JsonNode all = api.get("/v1/conversations", nia.token()).json();
        assertThat(all.path("conversations")).hasSize(5);
        assertThat(all.path("next").isNull()).isTrue();
    }

    @Test
    void listRejectsBadLimitAndCursorNamingTheParameter() {
        TestUser oli = api.newUser("oli");
        for (String limit : List.of("0", "201", "-1", "abc", "1.5")) {
            assertError(api.get("/v1/conversations?limit=" + limit, oli.token()), 400, "validation_failed", "limit");
        }
        assertThat(api.get("/v1/conversations?limit=200", oli.token()).status()).isEqualTo(200);
        assertThat(api.get("/v1/conversations?limit=1", oli.token()).status()).isEqualTo(200);
        assertError(api.get("/v1/conversations?cursor=garbage!", oli.token()), 400, "validation_failed", "cursor");
    }

    @Test
    void anyMemberMayAddAUserAndAddingAMemberAgainChangesNothing() {
        TestUser pam = api.newUser("pam");
        TestUser quin = api.newUser("quin");
        TestUser rae = api.newUser("rae");
        long group = api.group(pam, "team", quin);

        Response added = api.post("/v1/conversations/" + group + "/members", quin.token(), Map.of("userId", rae.id()));
        assertThat(added.status()).isEqualTo(200);
        assertThat(memberIds(added.json())).containsExactlyInAnyOrder(pam.id(), quin.id(), rae.id());
        assertThat(added.json().path("ownerId").asLong()).isEqualTo(pam.id());
        assertThat(api.get("/v1/conversations/" + group, rae.token()).status()).isEqualTo(200);

        Response again = api.post("/v1/conversations/" + group + "/members", pam.token(), Map.of("userId", rae.id()));
        assertThat(again.status()).isEqualTo(200);
        assertThat(memberIds(again.json())).containsExactlyInAnyOrderElementsOf(memberIds(added.json()));
    }

    @Test
    void addingAnUnknownUserOrAddingToADirectConversationIsRejected() {
        TestUser sam = api.newUser("sam");
        TestUser tia = api.newUser("tia");
        TestUser uma = api.newUser("uma");
        long group = api.group(sam, "g");
        long direct = api.direct(sam, tia);

        assertError(api.post("/v1/conversations/" + group + "/members", sam.token(), Map.of("userId", 999_999_999L)),
                400, "validation_failed", "userId");
        assertError(api.post("/v1/conversations/" + group + "/members", sam.token(), Map.of()), 400,
                "validation_failed", "userId");
        assertError(api.post("/v1/conversations/" + group + "/members", sam.token(), Map.of("userId", "x")), 400,
                "malformed_json", "userId");
        assertError(api.post("/v1/conversations/" + direct + "/members", sam.token(), Map.of("userId", uma.id())),
                400, "validation_failed", null);
        assertThat(memberIds(api.get("/v1/conversations/" + direct, sam.token()).json()))
                .containsExactlyInAnyOrder(sam.id(), tia.id());
        assertError(api.delete("/v1/conversations/" + direct + "/members/" + tia.id(), sam.token()), 400,
                "validation_failed", null);
    }

    @Test
    void aMemberLeavesAndThenGetsNotFound() {
        TestUser vic = api.newUser("vic");
        TestUser wes = api.newUser("wes");
        long group = api.group(vic, "leavers", wes);

        Response left = api.delete("/v1/conversations/" + group + "/members/" + wes.id(), wes.token());
        assertThat(left.status()).isEqualTo(204);

        assertError(api.get("/v1/conversations/" + group, wes.token()), 404, "not_found", null);
        assertError(api.sendMessage(wes, group, "still here?"), 404, "not_found", null);
        assertThat(memberIds(api.get("/v1/conversations/" + group, vic.token()).json())).containsExactly(vic.id());
        assertThat(api.get("/v1/conversations", wes.token()).json().path("conversations")).isEmpty();
    }

    @Test
    void theOwnerRemovesAnyoneButOthersRemoveOnlyThemselves() {
        TestUser xia = api.newUser("xia");
        TestUser yan = api.newUser("yan");
        TestUser zed = api.newUser("zed");
        long group = api.group(xia, "owned", yan, zed);

        assertError(api.delete("/v1/conversations/" + group + "/members/" + zed.id(), yan.token()), 403, "forbidden",
                null);
        assertError(api.delete("/v1/conversations/" + group + "/members/" + xia.id(), yan.token()), 403, "forbidden",
                null);
        assertThat(memberIds(api.get("/v1/conversations/" + group, xia.token()).json())).hasSize(3);

        assertThat(api.delete("/v1/conversations/" + group + "/members/" + zed.id(), xia.token()).status())
                .isEqualTo(204);
        assertError(api.get("/v1/conversations/" + group, zed.token()), 404, "not_found", null);
        assertThat(memberIds(api.get("/v1/conversations/" + group, yan.token()).json()))
                .containsExactlyInAnyOrder(xia.id(), yan.id());
    }

    @Test
    void whenTheOwnerLeavesTheLongestStandingMemberBecomesOwner() {
        TestUser amy = api.newUser("amy");
        TestUser bo = api.newUser("bo_");
        long group = api.group(amy, "handover", bo);

        assertThat(api.delete("/v1/conversations/" + group + "/members/" + amy.id(), amy.token()).status())
                .isEqualTo(204);
        assertThat(api.get("/v1/conversations/" + group, bo.token()).json().path("ownerId").asLong())
                .isEqualTo(bo.id());
    }

    @Test
    void aNonMemberGetsNotFoundOnEveryConversationEndpoint() {
        TestUser cy = api.newUser("cy_");
        TestUser di = api.newUser("di_");
        TestUser outsider = api.newUser("out");
        long group = api.group(cy, "private", di);
        long direct = api.direct(cy, di);
        api.sendMessage(cy, group, "secret");

        for (long id : List.of(group, direct, 999_999_999L)) {
            String base = "/v1/conversations/" + id;
            assertError(api.get(base, outsider.token()), 404, "not_found", null);
            assertError(api.post(base + "/members", outsider.token(), Map.of("userId", outsider.id())), 404,
                    "not_found", null);
            assertError(api.delete(base + "/members/" + outsider.id(), outsider.token()), 404, "not_found", null);
            assertError(api.delete(base + "/members/" + di.id(), outsider.token()), 404, "not_found", null);
            assertError(api.post(base + "/messages", outsider.token(),
                    Map.of("clientMsgId", UUID.randomUUID().toString(), "body", "hello?")), 404, "not_found", null);
            assertError(api.get(base + "/messages", outsider.token()), 404, "not_found", null);
            assertError(api.get(base + "/messages?before=5", outsider.token()), 404, "not_found", null);
            assertError(api.post(base + "/read", outsider.token(), Map.of("seq", 0)), 404, "not_found", null);
        }
        assertError(api.get("/v1/conversations/not-a-number", outsider.token()), 404, "not_found", null);

        // Nothing the outsider tried changed the conversations.
        JsonNode seenByOwner = api.get("/v1/conversations/" + group, cy.token()).json();
        assertThat(memberIds(seenByOwner)).containsExactlyInAnyOrder(cy.id(), di.id());
        assertThat(seenByOwner.path("lastSeq").asLong()).isEqualTo(1);
        assertThat(Set.copyOf(memberIds(api.get("/v1/conversations/" + direct, di.token()).json())))
                .containsExactlyInAnyOrder(cy.id(), di.id());
    }
}
