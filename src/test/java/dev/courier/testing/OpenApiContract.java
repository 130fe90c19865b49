package dev.courier.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Holds every exchange of the REST tests to {@code openapi.yaml}, so that the document cannot drift from the server:
 * {@link ApiClient} hands each request and its answer here, and a breach fails the test that made it, naming the
 * request, the rule and the bodies.
 *
 * <ul>
 *   <li>A path under {@code /v1}, {@code /health}, {@code /metrics} or {@code /openapi.json} that the document
 *       does not have, or a method a documented path does not have, must be answered {@code 404} in the error
 *       shape (what the server says of any unknown route). Other paths are the static pages, not the API.</li>
 *   <li>The answer's status must be one the operation lists, its media type one the status lists, and a JSON body
 *       must match that schema (JSON Schema 2020-12 in the OpenAPI 3.1 dialect, formats asserted).</li>
 *   <li>A JSON request body that the operation's schema refuses may only be answered with a {@code 4xx}: the
 *       tests send broken requests on purpose, but a server that accepts one the document calls invalid has
 *       drifted from it.</li>
 * </ul>
 * HEAD and OPTIONS (CORS preflight) exchanges are not checked: neither is an operation of the document. An error
 * answered before routing (no request id in it) is checked against the error shape only.
 */
public final class OpenApiContract {

    private static final String DOCUMENT_IRI = "https://courier.invalid/openapi.json";
    private static final List<String> API_PREFIXES = List.of("/v1/", "/health/", "/metrics", "/openapi.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final OpenApiContract INSTANCE = load();

    private final JsonNode document;
    private final SchemaRegistry schemas;
    private final List<String> templates;
    private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

    private OpenApiContract(JsonNode document) {
        this.document = document;
        this.schemas = SchemaRegistry.withDialect(Dialects.getOpenApi31(), builder -> builder
                .schemas(Map.of(DOCUMENT_IRI, document.toString()))
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
        List<String> paths = new ArrayList<>();
        document.path("paths").fieldNames().forEachRemaining(paths::add);
        // literal segments win over templated ones (/v1/sessions/current before a /v1/sessions/{id})
        paths.sort(Comparator.comparingLong((String p) -> p.chars().filter(c -> c == '{').count()));
        this.templates = List.copyOf(paths);
    }

    public static OpenApiContract get() {
        return INSTANCE;
    }

    /** The document as the jar has it. */
    public JsonNode document() {
        return document;
    }

    private static OpenApiContract load() {
        // the validator reads the whole document as a schema resource and names each OpenAPI keyword it skips
        if (org.slf4j.LoggerFactory.getLogger("com.networknt.schema.keyword.UnknownKeywordFactory")
                instanceof ch.qos.logback.classic.Logger keywords) {
            keywords.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
        try (InputStream in = OpenApiContract.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is not on the test class path");
            }
            return new OpenApiContract(new YAMLMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One exchange as the client saw it; {@code requestBody} and {@code responseBody} may be null or empty. */
    public record Exchange(String method, String pathAndQuery, String requestContentType, byte[] requestBody,
                           int status, Optional<String> responseContentType, String responseBody) {
    }

    /** Throws {@link AssertionError} saying what broke when {@code exchange} does not fit the document. */
    public void check(Exchange exchange) {
        List<String> problems = problems(exchange);
        if (!problems.isEmpty()) {
            throw new AssertionError("the exchange does not fit the OpenAPI document (src/main/resources/openapi.yaml):\n"
                    + "  " + exchange.method() + " " + exchange.pathAndQuery() + " -> " + exchange.status() + "\n"
                    + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n")) + "\n"
                    + "  request body: " + shorten(exchange.requestBody() == null ? ""
                    : new String(exchange.requestBody(), java.nio.charset.StandardCharsets.UTF_8)) + "\n"
                    + "  response body: " + shorten(exchange.responseBody()));
        }
    }

    /** Everything about {@code exchange} that breaks the document; empty when it fits. */
    public List<String> problems(Exchange exchange) {
        String method = exchange.method().toLowerCase(Locale.ROOT);
        String path = exchange.pathAndQuery().split("\\?", 2)[0];
        if (method.equals("head") || method.equals("options") || API_PREFIXES.stream().noneMatch(path::startsWith)) {
            return List.of();
        }
        if (answeredBeforeRouting(exchange)) {
            return responseProblems("/components/responses/BadRequest", exchange);
        }
        Optional<String> template = template(path);
        JsonNode operation = template.map(t -> document.path("paths").path(t).path(method)).orElse(null);
        if (operation == null || operation.isMissingNode()) {
            // an unknown route is 404; under /v1/admin/ a caller without the token gets 401 instead, so that a
            // refusal does not tell which admin routes exist
            if (exchange.status() == 404 || (exchange.status() == 401 && path.startsWith("/v1/admin/"))) {
                return responseProblems("/components/responses/NotFound", exchange);
            }
            return List.of(template.isEmpty() ? "the path is not in the document"
                    : "the document has no " + exchange.method() + " on " + template.get());
        }
        String operationPointer = "/paths/" + escape(template.get()) + "/" + method;
        List<String> problems = new ArrayList<>(requestProblems(operationPointer, operation, exchange));
        JsonNode responses = operation.path("responses");
        String status = String.valueOf(exchange.status());
        String responsePointer = responses.has(status) ? operationPointer + "/responses/" + status
                : responses.has("default") ? operationPointer + "/responses/default" : null;
        if (responsePointer == null) {
            problems.add("status " + status + " is not among the operation's responses " + names(responses));
            return problems;
        }
        problems.addAll(responseProblems(responsePointer, exchange));
        return problems;
    }

    /**
     * An error Jetty gave before the request reached a route (a URI it cannot parse, a header block too large) or the
     * admission gate's {@code 503}: the error shape, but no request id, since no route handled it. The document
     * describes routed answers; these are the same for every path (docs/api.md, "Errors").
     */
    private static boolean answeredBeforeRouting(Exchange exchange) {
        if (exchange.status() < 400 || exchange.responseBody() == null || !exchange.responseBody().startsWith("{")) {
            return false;
        }
        try {
            JsonNode error = JSON.readTree(exchange.responseBody()).path("error");
            return error.isObject() && !error.has("requestId");
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> requestProblems(String operationPointer, JsonNode operation, Exchange exchange) {
        JsonNode body = operation.path("requestBody");
        if (body.isMissingNode() || exchange.requestBody() == null || exchange.requestBody().length == 0
                || !isJson(exchange.requestContentType()) || !body.path("content").has("application/json")) {
            return List.of();
        }
        JsonNode sent;
        try {
            sent = JSON.readTree(exchange.requestBody());
        } catch (IOException e) {
            sent = null;
        }
        List<String> errors = sent == null ? List.of("the request body is not JSON")
                : validate(operationPointer + "/requestBody/content/application~1json/schema", sent);
        if (!errors.isEmpty() && exchange.status() / 100 != 4) {
            List<String> problems = new ArrayList<>();
            problems.add("the server answered " + exchange.status() + " to a request body the document refuses:");
            errors.forEach(e -> problems.add("    " + e));
            return problems;
        }
        return List.of();
    }

    private List<String> responseProblems(String responsePointer, Exchange exchange) {
        String pointer = resolve(responsePointer);
        JsonNode response = at(pointer);
        JsonNode content = response.path("content");
        String body = exchange.responseBody() == null ? "" : exchange.responseBody();
        if (content.isMissingNode() || content.isEmpty()) {
            return body.isEmpty() || exchange.status() == 101 ? List.of()
                    : List.of("the document gives status " + exchange.status() + " no body, yet it has one");
        }
        String mediaType = exchange.responseContentType().map(OpenApiContract::bareMediaType).orElse("");
        if (!content.has(mediaType)) {
            // "*/*": any media type (a download answers with the type its file was stored with)
            return content.has("*/*") ? List.of()
                    : List.of("media type '" + mediaType + "' is not among " + names(content));
        }
        if (!isJson(mediaType)) {
            return List.of();
        }
        JsonNode received;
        try {
            received = JSON.readTree(body);
        } catch (IOException e) {
            return List.of("the answer says JSON but its body is not: " + e.getMessage());
        }
        return validate(pointer + "/content/" + escape(mediaType) + "/schema", received);
    }

    private List<String> validate(String schemaPointer, JsonNode instance) {
        Schema schema = compiled.computeIfAbsent(schemaPointer,
                p -> schemas.getSchema(SchemaLocation.of(DOCUMENT_IRI + "#" + p)));
        List<Error> errors = schema.validate(instance);
        return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()
                + " (schema " + e.getSchemaLocation() + ")").toList();
    }

    /** The documented path template {@code path} falls under, if any. */
    public Optional<String> template(String path) {
        String[] segments = path.split("/", -1);
        for (String template : templates) {
            String[] parts = template.split("/", -1);
            if (parts.length != segments.length) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < parts.length && match; i++) {
                match = parts[i].startsWith("{") ? !segments[i].isEmpty() : parts[i].equals(segments[i]);
            }
            if (match) {
                return Optional.of(template);
            }
        }
        return Optional.empty();
    }

    /** Follows {@code $ref} from the node at {@code pointer} until it reaches one without. */
    private String resolve(String pointer) {
        String current = pointer;
        for (int hops = 0; hops < 10; hops++) {
            JsonNode ref = at(current).path("$ref");
            if (ref.isMissingNode()) {
                return current;
            }
            current = ref.asText().substring(1);
        }
        throw new IllegalStateException("a $ref cycle at " + pointer);
    }

    private JsonNode at(String pointer) {
        return document.at(pointer);
    }

    private static boolean isJson(String contentType) {
        return contentType != null && bareMediaType(contentType).equals("application/json");
    }

    private static String bareMediaType(String contentType) {
        return contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    private static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }

    private static String names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names.toString();
    }

    private static String shorten(String text) {
        return text.length() <= 2_000 ? text : text.substring(0, 2_000) + "… (" + text.length() + " characters)";
    }
}
