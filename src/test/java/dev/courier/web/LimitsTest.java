package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The contract's size limits, each at its edge, each answered with the contract's error. */
@ExtendWith(TestServerExtension.class)
class LimitsTest {

    @SharedServer
    private static ApiClient api;
    private static TestUser alice;
    private static TestUser bob;
    private static long conversation;

    @BeforeAll
    static void createConversation() {
        alice = api.newUser("alice");
        bob = api.newUser("bob");
        conversation = api.direct(alice, bob);
    }

    @Test
    void aBodyOf65536BytesIsReadAndOneByteMoreIs413() {
        String prefix = "{\"clientMsgId\": \"" + UUID.randomUUID() + "\", \"body\": \"hi\", \"pad\": \"";
        String atLimit = prefix + "x".repeat(JsonBody.MAX_BYTES - prefix.length() - 2) + "\"}";
        assertThat(atLimit.getBytes(StandardCharsets.UTF_8)).hasSize(65_536);
        assertThat(api.post(path(), alice.token(), atLimit).status()).isEqualTo(201);
        String over = atLimit.replace("\"pad\": \"", "\"pad\": \"x").replace("\"clientMsgId\": \"",
                "\"clientMsgId\": \"").replaceFirst("[0-9a-f]{8}-", UUID.randomUUID().toString().substring(0, 9));
        Response tooLarge = api.post(path(), alice.token(), over);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.errorCode()).isEqualTo("payload_too_large");
    }

    @Test
    void aMessageBodyHoldsUpTo4000CodePointsCountingEmojiAsOne() {
        String emoji = "\uD83D\uDE00";
        assertThat(api.sendMessage(alice, conversation, emoji.repeat(4_000)).status()).isEqualTo(201);
        Response over = api.sendMessage(alice, conversation, emoji.repeat(4_001));
        assertThat(over.errorCode()).isEqualTo("validation_failed");
        assertThat(over.json().path("error").path("field").asText()).isEqualTo("body");
    }

    @Test
    void aGroupOfMoreThan1000MembersIsRefusedBeforeAnyLookup() {
        List<Long> members = LongStream.rangeClosed(10_000_000, 10_001_000).boxed().toList();
        Response r = api.post("/v1/conversations", alice.token(),
                Map.of("type", "group", "title", "big", "members", members));
        assertThat(r.errorCode()).isEqualTo("validation_failed");
        assertThat(r.json().path("error").path("field").asText()).isEqualTo("members");
        assertThat(r.json().path("error").path("message").asText()).contains("1000");
    }

    @Test
    void pageSizesOutsideTheirRangeNameTheParameter() {
        for (String query : List.of("limit=0", "limit=501", "limit=-1", "limit=x", "after=-1", "before=x")) {
            Response r = api.get(path() + "?" + query, alice.token());
            assertThat(r.errorCode()).as(query).isEqualTo("validation_failed");
            assertThat(r.json().path("error").path("field").asText()).as(query).isEqualTo(query.split("=")[0]);
        }
        assertThat(api.get(path() + "?limit=500", alice.token()).status()).isEqualTo(200);
        assertThat(api.get("/v1/conversations?limit=201", alice.token()).errorCode()).isEqualTo("validation_failed");
        assertThat(api.get("/v1/conversations?limit=200", alice.token()).status()).isEqualTo(200);
    }

    private static String path() {
        return "/v1/conversations/" + conversation + "/messages";
    }
}
