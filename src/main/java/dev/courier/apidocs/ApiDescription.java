package dev.courier.apidocs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the API's OpenAPI 3.1 description. The document is written by hand in YAML
 * ({@code openapi.yaml} in the jar, the contract first); it is read and turned into JSON once, at start, and every
 * request is answered from those bytes. The page that renders it for people is the static {@code /api-docs/}.
 */
public final class ApiDescription {

    /** Where the document lives in the jar. */
    public static final String RESOURCE = "/openapi.yaml";
    public static final String PATH = "/openapi.json";

    private final byte[] json;

    private ApiDescription(byte[] json) {
        this.json = json;
    }

    /** Reads the document from the jar; a document that cannot be read stops the start, not the first request. */
    public static ApiDescription load() {
        try (InputStream yaml = ApiDescription.class.getResourceAsStream(RESOURCE)) {
            if (yaml == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            JsonNode document = new YAMLMapper().readTree(yaml);
            return new ApiDescription(new ObjectMapper().writeValueAsBytes(document));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    public void register(Routes routes) {
        // served like a probe: open, and answered while the admission limit is reached
        routes.get(PATH, RoutePolicy.probe(), ctx -> ctx.contentType("application/json").result(json));
    }
}
