package dev.courier.web;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * A request body decoded once at the edge: checked for media type and size, parsed as a JSON object, then read
 * field by field with the contract's errors. A field of the wrong JSON type is {@code malformed_json}; a missing
 * or null required field is {@code validation_failed}. Unknown fields are ignored.
 */
public final class JsonBody {

    public static final int MAX_BYTES = 65_536;

    /** Built once: the mapper's own {@code readTree} resolves the target type on every call. */
    private static final ObjectReader TREE = Json.mapper().readerFor(JsonNode.class);

    private final ObjectNode object;

    private JsonBody(ObjectNode object) {
        this.object = object;
    }

    public static JsonBody of(Context ctx) {
        if (!isJson(ctx.header("Content-Type"))) {
            throw ApiException.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json");
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_BYTES) {
            throw tooLarge();
        }
        return parse(readBounded(ctx));
    }

    /**
     * True for {@code application/json} with or without parameters ({@code ; charset=utf-8}); a prefix match
     * would also let {@code application/jsonp} or {@code application/json-patch+json} through.
     */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int parameters = contentType.indexOf(';');
        String mediaType = parameters < 0 ? contentType : contentType.substring(0, parameters);
        return mediaType.trim().toLowerCase(Locale.ROOT).equals("application/json");
    }

    /** Parses a UTF-8 JSON text that must be an object. */
    public static JsonBody parse(byte[] bytes) {
        return parse(() -> TREE.readTree(bytes));
    }

    /** Parses a JSON text that must be an object, e.g. one WebSocket frame, as it arrived: no copy to bytes first. */
    public static JsonBody parse(String text) {
        return parse(() -> TREE.readTree(text));
    }

    private interface TreeRead {
        JsonNode read() throws IOException;
    }

    private static JsonBody parse(TreeRead read) {
        JsonNode node;
        try {
            node = read.read();
        } catch (JacksonException e) {
            throw ApiException.malformed("the body is not valid JSON");
        } catch (IOException e) {
            throw ApiException.malformed("the body could not be read");
        }
        if (node == null || !node.isObject()) {
            throw ApiException.malformed("the body must be a JSON object");
        }
        return new JsonBody((ObjectNode) node);
    }

    public String requiredString(String field) {
        return optionalString(field).orElseThrow(() -> missing(field));
    }

    public Optional<String> optionalString(String field) {
        JsonNode node = present(field);
        if (node == null) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw wrongType(field, "a string");
        }
        return Optional.of(node.textValue());
    }

    public long requiredLong(String field) {
        JsonNode node = present(field);
        if (node == null) {
            throw missing(field);
        }
        return asLong(field, node);
    }

    public List<Long> requiredLongList(String field) {
        JsonNode node = present(field);
        if (node == null) {
            throw missing(field);
        }
        if (!node.isArray()) {
            throw wrongType(field, "an array of integers");
        }
        List<Long> values = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            values.add(asLong(field, element));
        }
        return values;
    }

    /** An array of strings, or empty when the field is absent or null. */
    public Optional<List<String>> optionalStringList(String field) {
        JsonNode node = present(field);
        if (node == null) {
            return Optional.empty();
        }
        if (!node.isArray()) {
            throw wrongType(field, "an array of strings");
        }
        List<String> values = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw wrongType(field, "an array of strings");
            }
            values.add(element.textValue());
        }
        return Optional.of(values);
    }

    public Optional<Long> optionalLong(String field) {
        JsonNode node = present(field);
        return node == null ? Optional.empty() : Optional.of(asLong(field, node));
    }

    public Optional<Double> optionalDouble(String field) {
        JsonNode node = present(field);
        if (node == null) {
            return Optional.empty();
        }
        if (!node.isNumber()) {
            throw wrongType(field, "a number");
        }
        return Optional.of(node.doubleValue());
    }

    public Optional<Boolean> optionalBoolean(String field) {
        JsonNode node = present(field);
        if (node == null) {
            return Optional.empty();
        }
        if (!node.isBoolean()) {
            throw wrongType(field, "true or false");
        }
        return Optional.of(node.booleanValue());
    }

    public UUID requiredUuid(String field) {
        String text = requiredString(field);
        // UUID.fromString accepts short forms such as "1-2-3-4-5"; insist on the canonical 36 characters.
        if (text.length() != 36) {
            throw ApiException.invalid(field, field + " must be a UUID");
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, field + " must be a UUID");
        }
    }

    private JsonNode present(String field) {
        JsonNode node = object.get(field);
        return node == null || node.isNull() ? null : node;
    }

    private static long asLong(String field, JsonNode node) {
        if (!node.isIntegralNumber()) {
            throw wrongType(field, "an integer");
        }
        if (!node.canConvertToLong()) {
            throw ApiException.invalid(field, field + " is out of range");
        }
        return node.longValue();
    }

    private static ApiException missing(String field) {
        return ApiException.invalid(field, field + " is required");
    }

    private static ApiException wrongType(String field, String expected) {
        return ApiException.malformed(field, field + " must be " + expected);
    }

    private static ApiException tooLarge() {
        return ApiException.of(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than " + MAX_BYTES + " bytes");
    }

    private static byte[] readBounded(Context ctx) {
        try (InputStream in = ctx.bodyInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw ApiException.malformed("the body could not be read");
        }
    }
}
