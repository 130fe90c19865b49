package dev.courier.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.StreamClient;
import dev.courier.testing.TestServer;
import dev.courier.web.ErrorCode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Throws random JSON at every endpoint that reads a body or a query, and typing frames at the stream: random shapes
 * and types, the right field names with wrong or extreme values, hostile Unicode (lone surrogates, NUL, RTL
 * overrides, combining marks, emoji, zero-width characters), numbers at and beyond int64, broken UTF-8 and broken
 * JSON. Every answer must be below 500 and, when an error, in the contract's shape; every stored row must keep the
 * contract's rules.
 * Tries per property: {@code jqwik.tries.default} (junit-platform.properties; raised by {@code -Pnightly}),
 * except for the two endpoints that hash passwords.
 */
class JsonFuzzTest {

    private static final List<String> CODES = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).toList();
    private static final AtomicInteger CASES = new AtomicInteger();
    private static final int ACCOUNT_TRIES = 60;

    private static TestServer server;
    private static ApiClient api;
    private static TestUser alice;
    private static TestUser bob;
    /** Has passwords guessed at; the guesses are all wrong, so carol keeps her account and her password. */
    private static TestUser carol;
    /** Revokes session ids thrown at her; one of them may be her own, after which she is simply unauthorised. */
    private static TestUser dave;
    private static long group;
    private static StreamClient stream;

    @BeforeContainer
    static void start() {
        // Not a load-shedding test: a patient pool keeps a busy CI machine from turning answers into 503s.
        server = TestServer.start(TestServer::patientPool);
        api = server.client();
        alice = api.newUser("alice");
        bob = api.newUser("bob");
        carol = api.newUser("carol");
        dave = api.newUser("dave");
        group = api.group(alice, "fuzz", bob);
        api.sendMessage(bob, group, "first");
        api.sendMessage(alice, group, "alice's own, for edits");
        stream = StreamClient.connect(server.baseUrl(), alice.token());
    }

    @AfterContainer
    static void storedRowsKeepTheRulesThenStop() {
        try {
            System.out.println("JsonFuzzTest: " + CASES.get() + " requests sent");
            assertThat(server.queryLong("SELECT count(*) FROM users WHERE username !~ '^[a-z0-9_.-]{3,32}$' "
                    + "OR char_length(display_name) NOT BETWEEN 1 AND 64")).isZero();
            assertThat(server.queryLong("SELECT count(*) FROM conversations WHERE type = 'group' "
                    + "AND char_length(title) NOT BETWEEN 1 AND 100")).isZero();
            assertThat(server.queryLong("SELECT count(*) FROM messages WHERE deleted_at IS NULL AND ("
                    + "char_length(body) NOT BETWEEN 1 AND 4000 OR body ~ '^[[:space:]]*$' "
                    + "OR body LIKE '%' || chr(65533) || '%')")).isZero();
            assertThat(server.queryLong("SELECT count(*) FROM messages WHERE deleted_at IS NOT NULL AND (body <> '' "
                    + "OR mentions <> '{}' OR reactions <> '[]')")).isZero();
            // a reply names an earlier message of its conversation
            assertThat(server.queryLong("SELECT count(*) FROM messages WHERE reply_to IS NOT NULL AND reply_to >= seq"))
                    .isZero();
            // every emoji stored is one the rules allow, at most 20 of them on a message
            assertThat(server.queryLong("SELECT count(*) FROM messages m, jsonb_array_elements(m.reactions) r "
                    + "WHERE char_length(r->>'emoji') NOT BETWEEN 1 AND 8 OR r->>'emoji' ~ '[[:space:]]' "
                    + "OR jsonb_array_length(r->'userIds') = 0")).isZero();
            assertThat(server.queryLong("SELECT count(*) FROM messages WHERE jsonb_array_length(reactions) > 20"))
                    .isZero();
            // the latest change of a conversation is the change_seq of the message it changed
            assertThat(server.queryLong("SELECT count(*) FROM conversation_changes k WHERE k.last_change_seq <> "
                    + "(SELECT max(change_seq) FROM messages m WHERE m.conversation_id = k.conversation_id)")).isZero();
            // seq stays gapless whatever was thrown at the server
            assertThat(server.queryLong("SELECT count(*) FROM conversations c WHERE c.last_seq <> "
                    + "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) OR c.last_seq <> "
                    + "coalesce((SELECT max(seq) FROM messages m WHERE m.conversation_id = c.id), 0)")).isZero();
            assertThat(server.queryLong("SELECT count(*) FROM memberships m JOIN conversations c "
                    + "ON c.id = m.conversation_id WHERE c.type = 'direct' GROUP BY m.conversation_id "
                    + "HAVING count(*) <> 2 UNION ALL SELECT 0 LIMIT 1")).isZero();
        } finally {
            stream.close();
            server.close();
        }
    }

    // Each accepted account or login costs an Argon2id hash (~50 ms): fewer tries here, the same in every build.
    @Property(tries = ACCOUNT_TRIES)
    void createAccount(@ForAll("accountBodies") byte[] body, @ForAll("contentTypes") String contentType) {
        Response r = check(api.sendBytes("POST", "/v1/accounts", null, contentType, body));
        if (r.status() == 201) {
            JsonNode sent = parse(body);
            String username = r.json().path("username").asText();
            assertThat(username).isEqualTo(sent.path("username").asText().toLowerCase(java.util.Locale.ROOT));
            if (sent.hasNonNull("displayName")) {
                assertThat(r.json().path("displayName").asText()).isEqualTo(sent.path("displayName").asText());
            }
        }
    }

    @Property(tries = ACCOUNT_TRIES)
    void login(@ForAll("loginBodies") byte[] body, @ForAll("contentTypes") String contentType) {
        Response r = check(api.sendBytes("POST", "/v1/sessions", null, contentType, body));
        assertThat(r.status()).isIn(201, 400, 401, 413, 415, 503);
    }

    @Property
    void renameMe(@ForAll("renameBodies") byte[] body, @ForAll("contentTypes") String contentType) {
        Response r = check(api.sendBytes("PATCH", "/v1/me", bob.token(), contentType, body));
        if (r.status() == 200) {
            assertThat(r.json().path("displayName").asText()).isEqualTo(parse(body).path("displayName").asText());
        }
    }

    // Each check of a password costs an Argon2id hash: as few tries as for logins.
    @Property(tries = ACCOUNT_TRIES)
    void passwordChecks(@ForAll("passwordChangeBodies") byte[] change, @ForAll("deleteAccountBodies") byte[] delete,
                        @ForAll("contentTypes") String contentType) {
        Response changed = check(api.sendBytes("PUT", "/v1/me/password", carol.token(), contentType, change));
        assertThat(changed.status()).as(changed.toString()).isIn(400, 401, 413, 415, 503);
        Response deleted = check(api.sendBytes("DELETE", "/v1/me", carol.token(), contentType, delete));
        assertThat(deleted.status()).as(deleted.toString()).isIn(400, 401, 413, 415, 503);
    }

    @Property
    void accountQueries(@ForAll("queryValues") String query, @ForAll("queryValues") String limit,
                        @ForAll("queryValues") String cursor, @ForAll("conversationPaths") String sessionId) {
        check(api.get("/v1/admin/users?" + query("query", query) + "&" + query("limit", limit) + "&"
                + query("cursor", cursor), TestServer.ADMIN_TOKEN));
        check(api.get("/v1/admin/audit-log?" + query("limit", limit) + "&" + query("cursor", cursor),
                TestServer.ADMIN_TOKEN));
        // never one of the users the other properties act as: a reactivation ends every session of its user
        String userPath = List.of(alice, bob, carol, dave).stream().anyMatch(u -> sessionId.equals(Long.toString(u.id())))
                ? "0" : sessionId;
        check(api.send("POST", "/v1/admin/users/" + userPath + "/deactivate", TestServer.ADMIN_TOKEN, null, null));
        check(api.send("POST", "/v1/admin/users/" + userPath + "/reactivate", TestServer.ADMIN_TOKEN, null, null));
        check(api.get("/v1/me/sessions", dave.token()));
        check(api.send("DELETE", "/v1/me/sessions/" + sessionId, dave.token(), null, null));
    }

    @Property
    void createConversation(@ForAll("conversationBodies") byte[] body, @ForAll("contentTypes") String contentType) {
        Response r = check(api.sendBytes("POST", "/v1/conversations", alice.token(), contentType, body));
        if (r.status() == 201 || r.status() == 200) {
            JsonNode members = r.json().path("members");
            // a group may hold only its owner; a direct conversation always holds two
            assertThat(members.size()).isBetween(1, 1000);
        }
    }

    @Property
    void addMember(@ForAll("memberBodies") byte[] body, @ForAll("conversationPaths") String conversation) {
        check(api.sendBytes("POST", "/v1/conversations/" + conversation + "/members", alice.token(),
                "application/json", body));
    }

    @Property
    void sendMessage(@ForAll("messageBodies") byte[] body, @ForAll("conversationPaths") String conversation,
                     @ForAll("contentTypes") String contentType) {
        Response r = check(api.sendBytes("POST", "/v1/conversations/" + conversation + "/messages", alice.token(),
                contentType, body));
        if (r.status() == 201) {
            String stored = r.json().path("body").asText();
            assertThat(stored).isEqualTo(parse(body).path("body").asText());
            assertThat(stored.codePointCount(0, stored.length())).isBetween(1, 4000);
            assertThat(stored).doesNotContain("\u0000");
        }
    }

    @Property
    void editMessage(@ForAll("editBodies") byte[] body, @ForAll("conversationPaths") String conversation,
                     @ForAll("seqPaths") String seq, @ForAll("contentTypes") String contentType) {
        Response r = check(api.sendBytes("PATCH", "/v1/conversations/" + conversation + "/messages/" + seq,
                alice.token(), contentType, body));
        if (r.status() == 200) {
            String stored = r.json().path("body").asText();
            assertThat(stored).isEqualTo(parse(body).path("body").asText());
            assertThat(stored.codePointCount(0, stored.length())).isBetween(1, 4000);
            assertThat(r.json().path("editedAt").isTextual()).isTrue();
        }
    }

    @Property
    void reactions(@ForAll("emojiSegments") String emoji, @ForAll("conversationPaths") String conversation,
                   @ForAll("seqPaths") String seq, @ForAll boolean takeBack) {
        Response r = check(api.send(takeBack ? "DELETE" : "PUT", "/v1/conversations/" + conversation + "/messages/"
                + seq + "/reactions/" + emoji, bob.token(), null, null));
        assertThat(r.status()).as(r.toString()).isIn(204, 400, 404, 409, 503);
    }

    @Property
    void markRead(@ForAll("readBodies") byte[] body, @ForAll("conversationPaths") String conversation) {
        check(api.sendBytes("POST", "/v1/conversations/" + conversation + "/read", bob.token(), "application/json",
                body));
    }

    @Property
    void queryParameters(@ForAll("queryValues") String after, @ForAll("queryValues") String before,
                         @ForAll("queryValues") String limit, @ForAll("queryValues") String cursor,
                         @ForAll("conversationPaths") String conversation) {
        check(api.get("/v1/conversations/" + conversation + "/messages?" + query("after", after) + "&"
                + query("before", before) + "&" + query("limit", limit), bob.token()));
        check(api.get("/v1/conversations/" + conversation + "/messages?" + query("changedAfter", after) + "&"
                + query("limit", limit), bob.token()));
        check(api.get("/v1/conversations?" + query("limit", limit) + "&" + query("cursor", cursor), bob.token()));
        check(api.get("/v1/users/" + URLEncoder.encode(cursor, StandardCharsets.UTF_8).replace("+", "%20"),
                bob.token()));
    }

    /**
     * Typing frames over the stream, most of them well-formed: each is answered with nothing (relayed, or dropped by
     * the throttle) or with one error frame in the contract's shape, and the stream stays open.
     */
    @Property
    void typingFrame(@ForAll("typingFrames") String frame) {
        CASES.incrementAndGet();
        stream.send(frame);
        List<JsonNode> answers = stream.untilPong(java.time.Duration.ofSeconds(10)).stream()
                .filter(f -> !List.of("pong", "presence", "typing", "message", "message_changed", "read",
                        "conversation").contains(f.path("type").asText()))
                .toList();
        assertThat(answers.size()).as(answers.toString()).isLessThanOrEqualTo(1);
        for (JsonNode answer : answers) {
            assertThat(answer.path("type").asText()).as(answer.toString()).isEqualTo("error");
            assertThat(answer.path("error").path("code").asText()).as(answer.toString()).isIn(CODES);
            assertThat(answer.path("error").path("message").isTextual()).as(answer.toString()).isTrue();
            assertThat(answer.toString()).doesNotContain("Exception", "\tat ", "SQL", "org.", "java.");
        }
        assertThat(stream.isClosed()).as("stream closed after " + frame).isFalse();
    }

    /**
     * The invariants of every answer: no 5xx but the contract's load shedding ({@code 503 overloaded} with
     * Retry-After, which a starved machine may still see), errors in the contract's shape with a matching status.
     */
    private static Response check(Response r) {
        CASES.incrementAndGet();
        if (r.status() == 503) {
            assertThat(r.errorCode()).as(r.toString()).isEqualTo("overloaded");
            assertThat(r.header("Retry-After")).as(r.toString()).isNotNull();
        } else {
            assertThat(r.status()).as(r.toString()).isLessThan(500);
        }
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        if (r.status() >= 400) {
            JsonNode error = r.json().path("error");
            String code = error.path("code").asText();
            assertThat(code).as(r.toString()).isIn(CODES);
            assertThat(ErrorCode.valueOf(code.toUpperCase(java.util.Locale.ROOT)).status()).as(r.toString())
                    .isEqualTo(r.status());
            assertThat(error.path("message").isTextual()).as(r.toString()).isTrue();
            assertThat(r.body()).as(r.toString()).doesNotContain("Exception", "\tat ", "SQL", "org.", "java.");
        }
        return r;
    }

    private static JsonNode parse(byte[] body) {
        try {
            return dev.courier.web.Json.mapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError("a body the server accepted does not parse", e);
        }
    }

    private static String query(String name, String value) {
        return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // ---- generators ----

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(20, Arbitraries.just("application/json")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("application/json; charset=utf-8", "APPLICATION/JSON",
                        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                        "application/jsonp", "*/*")));
    }

    @Provide
    Arbitrary<byte[]> accountBodies() {
        return bodies(Map.of("username", usernames(), "password", passwords(), "displayName", nastyText()));
    }

    @Provide
    Arbitrary<byte[]> renameBodies() {
        return bodies(Map.of("displayName", nastyText()));
    }

    @Provide
    Arbitrary<byte[]> passwordChangeBodies() {
        return bodies(Map.of("currentPassword", passwords(), "newPassword", passwords()));
    }

    @Provide
    Arbitrary<byte[]> deleteAccountBodies() {
        return bodies(Map.of("password", passwords()));
    }

    @Provide
    Arbitrary<byte[]> loginBodies() {
        return bodies(Map.of("username", Arbitraries.oneOf(usernames(), Arbitraries.just(quote(alice.username()))),
                "password", Arbitraries.oneOf(passwords(), Arbitraries.just(quote(ApiClient.PASSWORD)))));
    }

    @Provide
    Arbitrary<byte[]> conversationBodies() {
        return bodies(Map.of(
                "type", Arbitraries.oneOf(Arbitraries.of("\"direct\"", "\"group\"", "\"Group\"", "\"\""), anyValue()),
                "title", nastyText(),
                "members", Arbitraries.oneOf(idLists(), anyValue())));
    }

    @Provide
    Arbitrary<byte[]> memberBodies() {
        return bodies(Map.of("userId", Arbitraries.oneOf(ids(), anyValue())));
    }

    @Provide
    Arbitrary<byte[]> messageBodies() {
        return bodies(Map.of(
                "clientMsgId", Arbitraries.oneOf(
                        Arbitraries.create(() -> quote(UUID.randomUUID().toString())),
                        Arbitraries.of("\"00000000-0000-0000-0000-000000000000\"", "\"1-2-3-4-5\"",
                                "\"" + UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT) + "\"",
                                "\"zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz\""),
                        anyValue()),
                "body", nastyText(),
                "replyTo", Arbitraries.oneOf(numbers(), Arbitraries.of("1", "2", "0", "-1"), anyValue())));
    }

    @Provide
    Arbitrary<byte[]> editBodies() {
        return bodies(Map.of("body", nastyText()));
    }

    /** Mostly alice's own message (seq 2), sometimes bob's (seq 1), sometimes no message at all. */
    @Provide
    Arbitrary<String> seqPaths() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just("2")),
                net.jqwik.api.Tuple.of(2, Arbitraries.just("1")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("0", "-1", "3", "9223372036854775807", "9223372036854775808",
                        "abc", "%00", "1e3", "%F0%9F%98%80")));
    }

    /** Emoji and everything an emoji must not be, URL-encoded as a path segment. */
    @Provide
    Arbitrary<String> emojiSegments() {
        return Arbitraries.oneOf(
                Arbitraries.of("\uD83D\uDC4D", "\u2764\uFE0F", "\uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
                        "\uD83C\uDDEB\uD83C\uDDF7", "ok", "+1"),
                nastySmallText())
                .filter(text -> !text.isEmpty())
                .map(text -> URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    @Provide
    Arbitrary<byte[]> readBodies() {
        return bodies(Map.of("seq", Arbitraries.oneOf(numbers(), Arbitraries.of("0", "1", "2"), anyValue())));
    }

    /** A typing frame's text; a ping is left out, since its pong would be taken for the marker's. */
    @Provide
    Arbitrary<String> typingFrames() {
        Arbitrary<String> type = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.just("\"typing\"")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("\"Typing\"", "\"typing \"", "\"\"", "\"read\"")),
                net.jqwik.api.Tuple.of(1, anyValue()));
        Arbitrary<String> conversationId = Arbitraries.oneOf(
                Arbitraries.create(() -> Long.toString(group)), ids(), anyValue());
        return bodies(Map.of("type", type, "conversationId", conversationId))
                .map(b -> new String(b, StandardCharsets.UTF_8))
                .filter(t -> t.getBytes(StandardCharsets.UTF_8).length <= dev.courier.web.JsonBody.MAX_BYTES)
                .filter(t -> !t.contains("ping"));
    }

    @Provide
    Arbitrary<String> conversationPaths() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(Long.toString(group))),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("0", "-1", "9223372036854775807", "9223372036854775808",
                        "1e3", "abc", "%00", "%F0%9F%98%80", "..%2F..%2Fadmin", "1%20", "%27%20OR%201%3D1", "0x10",
                        "00000000000000000000000001")));
    }

    @Provide
    Arbitrary<String> queryValues() {
        return Arbitraries.oneOf(
                Arbitraries.of("", "0", "1", "50", "500", "501", "-1", "9223372036854775807", "9223372036854775808",
                        "1.5", "1e2", " 1", "NaN", "null", "\u0000", "' OR 1=1 --", "%00"),
                Arbitraries.longs().map(String::valueOf),
                rawStrings());
    }

    /**
     * A JSON object with the endpoint's fields (each present or not, with a plausible or a hostile value, plus
     * stray fields and duplicates), or any JSON value, or broken text; sometimes with bytes mangled afterwards.
     */
    private static Arbitrary<byte[]> bodies(Map<String, Arbitrary<String>> fields) {
        List<Arbitrary<String>> members = new ArrayList<>();
        for (Map.Entry<String, Arbitrary<String>> field : fields.entrySet()) {
            Arbitrary<String> value = Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(6, field.getValue()),
                    net.jqwik.api.Tuple.of(1, anyValue()));
            members.add(Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(8, value.map(v -> quote(field.getKey()) + ": " + v)),
                    net.jqwik.api.Tuple.of(1, Arbitraries.just(""))));
        }
        members.add(Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just("")),
                net.jqwik.api.Tuple.of(1, Combinators.combine(rawStrings(), anyValue()).as((k, v) -> quote(k) + ": " + v))));
        Arbitrary<String> object = Combinators.combine(members).as(parts ->
                "{" + String.join(", ", parts.stream().filter(p -> !p.isEmpty()).toList()) + "}");
        Arbitrary<String> text = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, object),
                net.jqwik.api.Tuple.of(2, anyValue()),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("", "{", "}", "{\"a\":1}{}", "[1,]", "{\"a\" 1}", "nul",
                        "{\"a\":1,\"a\":2}", "{'a': 1}", "{\"a\": 01}", "{\"a\": .5}", "{\"a\": 1 /*c*/}",
                        "\uFEFF{}", "[".repeat(5_000), "{\"a\":" + "9".repeat(5_000) + "}")),
                net.jqwik.api.Tuple.of(1, rawStrings()));
        // Bodies over 64 KiB are LimitsTest's: the early 413 can reach the client as a reset connection (a known
        // race between answering and the client's unfinished upload), which would fail this class at random.
        return Combinators.combine(text, mangling()).as((t, mangle) -> mangle.apply(t.getBytes(StandardCharsets.UTF_8)))
                .filter(b -> b.length <= dev.courier.web.JsonBody.MAX_BYTES);
    }

    /** Usually nothing; sometimes invalid UTF-8 or a truncation. */
    private static Arbitrary<java.util.function.UnaryOperator<byte[]>> mangling() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(15, Arbitraries.just(b -> b)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 1_000).map(at -> b -> {
                    byte[] out = Arrays.copyOf(b, b.length + 2);
                    int i = Math.min(at, b.length);
                    System.arraycopy(b, i, out, i + 2, b.length - i);
                    out[i] = (byte) 0xC3;
                    out[i + 1] = (byte) 0x28;
                    return out;
                })),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 1_000).map(at ->
                        b -> Arrays.copyOf(b, Math.min(at, b.length)))));
    }

    /**
     * Any JSON value, nested at most three deep. Unbounded recursion with text near the length limit at the leaves
     * could grow a single value to gigabytes; the big cases are the field values' own business.
     */
    private static Arbitrary<String> anyValue() {
        Arbitrary<String> scalar = Arbitraries.oneOf(Arbitraries.of("null", "true", "false"), numbers(),
                nastySmallText().map(JsonFuzzTest::quote));
        return Arbitraries.recursive(() -> scalar, inner -> Arbitraries.oneOf(
                scalar,
                inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]"),
                Combinators.combine(rawStrings(), inner).as((k, v) -> "{" + quote(k) + ":" + v + "}")), 0, 3);
    }

    private static Arbitrary<String> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.of("0", "-0", "1", "-1", "9223372036854775807", "9223372036854775808",
                        "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e400", "-1e400",
                        "1.5", "1E2", "1e-400", "0.0", "2147483648", "-2147483649", "4.9e-324",
                        "123456789012345678901234567890"),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf).filter(s -> !s.contains("Infinity") && !s.contains("NaN")));
    }

    private static Arbitrary<String> ids() {
        return Arbitraries.oneOf(
                Arbitraries.create(() -> Long.toString(bob.id())),
                Arbitraries.create(() -> Long.toString(alice.id())),
                Arbitraries.longs().between(-5, 1_000_000).map(String::valueOf),
                numbers());
    }

    private static Arbitrary<String> idLists() {
        return ids().list().ofMaxSize(5).map(l -> "[" + String.join(",", l) + "]");
    }

    private static Arbitrary<String> usernames() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcxyzABCXYZ0189_.-").ofMinLength(1).ofMaxLength(40)
                        .map(s -> quote(s + Integer.toHexString(CASES.get()))),
                Arbitraries.of("\"K\u212Aelvin\"", "\"ǅungla\"", "\"admin\u0000\"", "\"alice\u200B\"", "\"ａｌｉｃｅ\"",
                        "\"' OR 1=1 --\"", "\"ab\"", "\"" + "a".repeat(33) + "\"", "\"\\ud800abc\""),
                nastyText());
    }

    private static Arbitrary<String> passwords() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMinLength(6).ofMaxLength(20).map(JsonFuzzTest::quote),
                Arbitraries.of("\"1234567\"", "\"12345678\"", "\"" + "p".repeat(128) + "\"", "\"" + "p".repeat(129) + "\"",
                        "\"pass\\u0000word\"", "\"\\udfffpassword\""),
                nastyText());
    }

    /** Strings of the kinds that break text handling, JSON-quoted (lone surrogates escaped as \\uXXXX). */
    private static Arbitrary<String> nastyText() {
        Arbitrary<String> small = nastySmallText();
        Arbitrary<String> large = Arbitraries.integers().between(3_990, 4_010).flatMap(n ->
                Arbitraries.of("a", "\uD83D\uDE00", "e\u0301", " ").map(unit -> unit.repeat(n / unit.codePointCount(0,
                        unit.length()))));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(12, small), net.jqwik.api.Tuple.of(1, large))
                .map(JsonFuzzTest::quote);
    }

    /** Up to eight hostile pieces, unquoted. */
    private static Arbitrary<String> nastySmallText() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12),
                Arbitraries.of("\u0000", "\uD800", "\uDFFF", "\uDBFF\uDFFF", "\u202E", "\u200F", "\u0301", "e\u0301",
                        "\uD83D\uDE00", "\uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "\uFEFF", "\u200B", "\t",
                        " ", "\u3000", "\u00A0", "\n", "\r\n", "'", "\"", "\\", "' OR '1'='1", "; DROP TABLE users; --",
                        "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/x}", "%s%n", "ﷺ", "\u0627\u0644\u0639",
                        "\u05D0\u05D1", "Z\u0351\u0337\u0322"));
        return piece.list().ofMaxSize(8).map(l -> String.join("", l));
    }

    private static Arbitrary<String> rawStrings() {
        return Arbitraries.strings().ofMaxLength(30);
    }

    /** JSON string literal; every UTF-16 unit outside printable ASCII is escaped, so lone surrogates survive. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
