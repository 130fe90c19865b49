package dev.courier.cli;

import dev.courier.web.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code courier postmortem ID}: prints the Markdown postmortem draft of an incident from a running server. */
@Command(name = "postmortem", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Print the postmortem draft (Markdown) of an incident recorded by a running Courier server.")
public final class PostmortemCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ID", description = "The incident id: GET /v1/admin/incidents lists them "
            + "newest first, /ops shows them, and bin/courier drill prints its incident's.")
    long id;

    @Option(names = "--url", defaultValue = "${env:COURIER_URL:-http://localhost:8080}",
            description = "The server's base URL (env COURIER_URL).")
    URI url;

    @Option(names = "--admin-token", defaultValue = "${env:COURIER_ADMIN_TOKEN}",
            description = "The server's admin token (env COURIER_ADMIN_TOKEN).")
    String adminToken;

    @Spec
    CommandSpec spec;

    /** The contract's error message, or the body as it came when it is not an error envelope. */
    private static String errorMessage(String body) {
        try {
            String message = Json.mapper().readTree(body).path("error").path("message").asText("");
            return message.isEmpty() ? body : message;
        } catch (IOException e) {
            return body;
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (adminToken == null || adminToken.isBlank()) {
            err.println("postmortem: an admin token is required (--admin-token or COURIER_ADMIN_TOKEN)");
            return 2;
        }
        URI target = url.resolve("/v1/admin/incidents/" + id + "/postmortem");
        HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken).GET().build();
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                err.println("postmortem: " + target + " answered " + response.statusCode() + ": "
                        + errorMessage(response.body()));
                if (response.statusCode() == 404) {
                    err.println("postmortem: incident ids are listed newest first by GET /v1/admin/incidents "
                            + "(or in /ops); the admin token is the one the server was started with");
                }
                return 1;
            }
            out.print(response.body());
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("postmortem: could not reach " + url + ": " + e.getMessage());
            return 1;
        }
    }
}
