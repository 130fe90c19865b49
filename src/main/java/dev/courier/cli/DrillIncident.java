package dev.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The incident a drill caused, read from the drill's own server through the admin API as an operator would: the
 * newest incident (the server is the drill's, so every incident on it is the drill's) and its postmortem draft.
 */
final class DrillIncident {

    /** The incident journal stores asynchronously; the last alert may clear a few seconds after the load stops. */
    private static final Duration SETTLE = Duration.ofSeconds(15);

    record Found(long id, String state, String postmortem) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI url;
    private final String adminToken;

    DrillIncident(URI url, String adminToken) {
        this.url = url;
        this.adminToken = adminToken;
    }

    /** The newest incident, once resolved or after {@link #SETTLE}; empty when none was recorded. */
    Optional<Found> newest() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        JsonNode newest = null;
        while (System.nanoTime() < deadline) {
            JsonNode incidents = Json.mapper().readTree(get("/v1/admin/incidents")).path("incidents");
            newest = incidents.isEmpty() ? null : incidents.get(0);
            if (newest != null && newest.path("state").asText().equals("resolved")) {
                break;
            }
            Thread.sleep(500);
        }
        if (newest == null) {
            return Optional.empty();
        }
        long id = newest.path("id").asLong();
        return Optional.of(new Found(id, newest.path("state").asText(),
                get("/v1/admin/incidents/" + id + "/postmortem")));
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + adminToken).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
