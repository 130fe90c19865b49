package dev.courier.web;

import static dev.courier.testing.ApiAssertions.assertError;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every endpoint that takes a body answers a body it cannot accept with the contract's 4xx, and stores nothing:
 * each test checks through the API afterwards that the conversation, the account or the message is unchanged.
 */
@ExtendWith(TestServerExtension.class)
class RequestBodyRulesTest {

    @SharedServer
    private static ApiClient api;

    private TestUser owner;
    private TestUser other;
    private long group;
    private long direct;
    private String newName;

    @BeforeEach
    void conversations() {
        owner = api.newUser("own");
        other = api.newUser("oth");
        group = api.group(owner, "g");
        direct = api.direct(owner, other);
        newName = ApiClient.uniqueUsername("body");
    }

    /** Each body-taking endpoint with a body it would accept. */
    private List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("/v1/accounts", null, "{\"username\": \"" + newName + "\", \"password\": \"password1\"}"),
                new Endpoint("/v1/sessions", null,
                        "{\"username\": \"" + owner.username() + "\", \"password\": \"" + ApiClient.PASSWORD + "\"}"),
                new Endpoint("/v1/conversations", owner.token(), "{\"type\": \"group\", \"title\": \"t\", \"members\": []}"),
                new Endpoint("/v1/conversations/" + group + "/members", owner.token(),
                        "{\"userId\": " + other.id() + "}"),
                new Endpoint("/v1/conversations/" + direct + "/messages", owner.token(),
                        "{\"clientMsgId\": \"" + UUID.randomUUID() + "\", \"body\": \"hi\"}"),
                new Endpoint("/v1/conversations/" + direct + "/read", other.token(), "{\"seq\": 0}"));
    }

    private record Endpoint(String path, String token, String validBody) {
    }

    @Test
    void malformedAndNonObjectJsonIsMalformedJsonEverywhere() {
        List<String> bad = List.of("", "{", "{\"a\": }", "not json", "{\"a\": 1} trailing", "{\"a\": 1, \"a\": 2}",
                "[]", "[{\"a\": 1}]", "\"a string\"", "42", "null", "true", "{\"a\": 1 /* comment */}");
        for (Endpoint e : endpoints()) {
            for (String body : bad) {
                assertError(api.post(e.path(), e.token(), body), 400, "malformed_json", null);
            }
        }
        assertNothingChanged();
    }

    @Test
    void aRawNulByteOrInvalidUtf8InTheBodyIsMalformedJson() {
        for (Endpoint e : endpoints()) {
            byte[] withNul = e.validBody().replace("}", ", \"x\": \"a\u0000b\"}").getBytes(StandardCharsets.UTF_8);
            assertError(api.sendBytes("POST", e.path(), e.token(), "application/json", withNul), 400,
                    "malformed_json", null);
            byte[] notUtf8 = e.validBody().replace("}", ", \"x\": \"\u00ff\"}").getBytes(StandardCharsets.ISO_8859_1);
            assertError(api.sendBytes("POST", e.path(), e.token(), "application/json", notUtf8), 400,
                    "malformed_json", null);
        }
        assertNothingChanged();
    }

    @Test
    void anEscapedNulInAFieldIsAValidationFailureNamingTheField() {
        String id = UUID.randomUUID().toString();
        assertError(api.post("/v1/conversations/" + direct + "/messages", owner.token(),
                "{\"clientMsgId\": \"" + id + "\", \"body\": \"a\\u0000b\"}"), 400, "validation_failed", "body");
        assertError(api.post("/v1/conversations", owner.token(),
                "{\"type\": \"group\", \"title\": \"a\\u0000b\", \"members\": []}"), 400, "validation_failed", "title");
        String name = ApiClient.uniqueUsername("nul");
        assertError(api.post("/v1/accounts", null, "{\"username\": \"" + name + "\\u0000\", \"password\": \"password1\"}"),
                400, "validation_failed", "username");
        assertNothingChanged();
    }

    @Test
    void wrongOrMissingContentTypeIsUnsupportedMediaType() {
        List<String> wrong = List.of("text/plain", "application/x-www-form-urlencoded", "application/jsonp",
                "application/json-patch+json", "multipart/form-data; boundary=x", "text/json");
        for (Endpoint e : endpoints()) {
            for (String type : wrong) {
                assertError(api.send("POST", e.path(), e.token(), type, e.validBody()), 415, "unsupported_media_type",
                        null);
            }
            assertError(api.send("POST", e.path(), e.token(), null, e.validBody()), 415, "unsupported_media_type",
                    null);
        }
        assertNothingChanged();
    }

    @Test
    void jsonWithACharsetParameterOrUpperCaseIsAccepted() {
        Response r = api.send("POST", "/v1/conversations/" + direct + "/messages", owner.token(),
                "Application/JSON; charset=UTF-8", "{\"clientMsgId\": \"" + UUID.randomUUID() + "\", \"body\": \"ok\"}");
        assertThat(r.status()).isEqualTo(201);
    }

    @Test
    void aBodyOverTheLimitIsPayloadTooLargeWithOrWithoutContentLength() {
        for (Endpoint e : endpoints()) {
            byte[] big = padded(e.validBody(), JsonBody.MAX_BYTES + 1);
            assertError(api.sendBytes("POST", e.path(), e.token(), "application/json", big), 413, "payload_too_large",
                    null);
            assertError(chunked(e.path(), e.token(), big), 413, "payload_too_large", null);
        }
        byte[] huge = padded(endpoints().get(4).validBody(), 4 * JsonBody.MAX_BYTES);
        assertError(chunked("/v1/conversations/" + direct + "/messages", owner.token(), huge), 413,
                "payload_too_large", null);
        assertNothingChanged();
    }

    /**
     * A chunked POST of a body over the limit. HTTP/1.1 lets the server close the connection once it has answered 413,
     * while the client is still writing the rest of the body; on a busy machine the client then fails on a broken pipe
     * before it reads the answer. Such an attempt shows neither answer, so it is made again, three times at most.
     */
    private Response chunked(String path, String token, byte[] body) {
        AssertionError unanswered = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return api.sendChunked("POST", path, token, "application/json", body);
            } catch (AssertionError e) {
                if (!(e.getCause() instanceof java.io.IOException)) {
                    throw e;
                }
                unanswered = e;
            }
        }
        throw unanswered;
    }

    @Test
    void aBodyOfExactlyTheLimitIsAccepted() {
        String id = UUID.randomUUID().toString();
        String body = "{\"clientMsgId\": \"" + id + "\", \"body\": \"at the limit\"}";
        Response sized = api.sendBytes("POST", "/v1/conversations/" + direct + "/messages", owner.token(),
                "application/json", padded(body, JsonBody.MAX_BYTES));
        assertThat(sized.status()).as("%s", sized).isEqualTo(201);
        Response chunked = api.sendChunked("POST", "/v1/conversations/" + direct + "/messages", owner.token(),
                "application/json", padded("{\"clientMsgId\": \"" + UUID.randomUUID() + "\", \"body\": \"chunked\"}",
                        JsonBody.MAX_BYTES));
        assertThat(chunked.status()).as("%s", chunked).isEqualTo(201);
    }

    @Test
    void overLongFieldsAreValidationFailuresNamingTheField() {
        String name = ApiClient.uniqueUsername("long");
        assertError(api.post("/v1/accounts", null, Map.of("username", name + "x".repeat(40), "password", "password1")),
                400, "validation_failed", "username");
        assertError(api.post("/v1/accounts", null, Map.of("username", name, "password", "p".repeat(129))), 400,
                "validation_failed", "password");
        assertError(api.post("/v1/accounts", null, Map.of("username", name, "password", "password1",
                "displayName", "d".repeat(65))), 400, "validation_failed", "displayName");
        assertError(api.post("/v1/conversations", owner.token(), Map.of("type", "group", "title", "t".repeat(101),
                "members", List.of())), 400, "validation_failed", "title");
        assertError(api.post("/v1/conversations/" + direct + "/messages", owner.token(),
                Map.of("clientMsgId", UUID.randomUUID().toString(), "body", "b".repeat(4001))), 400,
                "validation_failed", "body");
        assertThat(api.post("/v1/sessions", null, Map.of("username", name, "password", "password1")).status())
                .isEqualTo(401);
        assertNothingChanged();
    }

    @Test
    void unknownFieldsAreIgnored() {
        Response r = api.post("/v1/conversations/" + direct + "/messages", owner.token(),
                Map.of("clientMsgId", UUID.randomUUID().toString(), "body", "hi", "priority", "high",
                        "nested", Map.of("a", List.of(1, 2))));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().has("priority")).isFalse();
    }

    @Test
    void unknownRoutesAndMethodsAreNotFoundInTheContractsWords() {
        assertError(api.get("/v1/nothing-here", owner.token()), 404, "not_found", null);
        assertError(api.get("/nothing-here", null), 404, "not_found", null);
        assertError(api.send("PUT", "/v1/conversations", owner.token(), null, null), 404, "not_found", null);
        assertThat(api.get("/v1/me", owner.token()).header(RequestIds.HEADER)).matches("[0-9a-f]+");
    }

    /** {@code json} with white space inserted before its closing brace until it is {@code size} bytes long. */
    private static byte[] padded(String json, int size) {
        byte[] head = json.substring(0, json.length() - 1).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[size];
        java.util.Arrays.fill(out, (byte) ' ');
        System.arraycopy(head, 0, out, 0, head.length);
        out[size - 1] = '}';
        return out;
    }

    /** The fixture's conversations are as {@link #conversations()} left them, and it has no other ones. */
    private void assertNothingChanged() {
        var g = api.get("/v1/conversations/" + group, owner.token()).json();
        assertThat(g.path("members")).hasSize(1);
        assertThat(g.path("lastSeq").asLong()).isZero();
        var d = api.get("/v1/conversations/" + direct, other.token()).json();
        assertThat(d.path("lastSeq").asLong()).isZero();
        assertThat(d.path("readSeq").asLong()).isZero();
        assertThat(api.get("/v1/conversations/" + direct + "/messages", other.token()).json().path("messages"))
                .isEmpty();
        assertThat(api.get("/v1/conversations", owner.token()).json().path("conversations")).hasSize(2);
        assertThat(api.get("/v1/conversations", other.token()).json().path("conversations")).hasSize(1);
        assertThat(api.post("/v1/sessions", null, Map.of("username", newName, "password", "password1")).status())
                .isEqualTo(401);
    }
}
