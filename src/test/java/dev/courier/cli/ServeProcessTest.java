package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.Response;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.ServeProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code courier serve} as a real process: graceful SIGTERM, and a data directory that survives {@code kill -9}. */
class ServeProcessTest {

    @TempDir
    Path temp;

    @Test
    void sigtermFinishesTheInFlightRequestExitsZeroAndStopsPostgres() throws Exception {
        Path dataDir = temp.resolve("data");
        Files.createDirectories(dataDir);
        try (ServeProcess serve = ServeProcess.start(dataDir)) {
            ApiClient api = serve.client();
            TestUser ann = api.newUser("ann");
            long group = api.group(ann, "last words");
            byte[] body = ("{\"clientMsgId\": \"" + UUID.randomUUID() + "\", \"body\": \"sent across a SIGTERM\"}")
                    .getBytes(StandardCharsets.UTF_8);
            int half = body.length / 2;

            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), serve.port())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/conversations/" + group + "/messages HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\n"
                        + "Authorization: Bearer " + ann.token() + "\r\n"
                        + "Content-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, half);
                out.flush();
                Thread.sleep(500); // the request is now inside the handler, waiting for the rest of its body

                serve.terminate();
                // The rest of the body trickles in over seconds while the server stops. Jetty cuts connections that
                // stay silent for a second during shutdown, so the trickle never pauses that long.
                boolean refusedNewConnections = false;
                for (int i = half; i < body.length; i++) {
                    Thread.sleep(100);
                    out.write(body[i]);
                    out.flush();
                    if (i >= half + 5 && !refusedNewConnections) {
                        refusedNewConnections = refusesConnections(serve.port());
                    }
                }
                assertThat(refusedNewConnections).as("new connections refused while stopping").isTrue();

                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                String status = in.readLine();
                StringBuilder rest = new StringBuilder();
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    rest.append(line).append('\n');
                }
                assertThat(status).as(rest.toString()).startsWith("HTTP/1.1 201");
            }

            assertThat(serve.awaitExit(Duration.ofSeconds(60))).as(serve.output()).isZero();
            assertThat(serve.output()).as("a graceful stop says so").contains("Courier stopping",
                    "Courier stopped after ");
        }
        assertThat(dataDir.resolve("pgdata").resolve("postmaster.pid")).doesNotExist();
        assertThat(ServeProcess.postgresOn(dataDir)).isEmpty();
    }

    private static boolean refusesConnections(int port) {
        try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    @Test
    void aKilledServersDataDirectoryStartsAgainWithEverythingInItAndRefusesASecondServer() throws Exception {
        Path dataDir = temp.resolve("data");
        Files.createDirectories(dataDir);
        String username;
        long conversation;
        try (ServeProcess first = ServeProcess.start(dataDir)) {
            ApiClient api = first.client();
            TestUser bea = api.newUser("bea");
            username = bea.username();
            conversation = api.group(bea, "before the crash");
            assertThat(api.sendMessage(bea, conversation, "acknowledged, so kept").status()).isEqualTo(201);
            first.kill();
        }
        System.out.println("PostgreSQL left running by the killed server: " + ServeProcess.postgresOn(dataDir));

        try (ServeProcess second = ServeProcess.start(dataDir)) {
            ApiClient api = second.client();
            TestUser bea = api.login(username);
            Response history = api.get("/v1/conversations/" + conversation + "/messages", bea.token());
            assertThat(history.status()).isEqualTo(200);
            assertThat(history.json().path("messages").get(0).path("body").asText()).isEqualTo("acknowledged, so kept");
            assertThat(api.sendMessage(bea, conversation, "after").json().path("seq").asLong()).isEqualTo(2);

            // While it runs, a second server on the same directory refuses to start, in one clear line.
            assertThatThrownBy(() -> ServeProcess.start(dataDir).close())
                    .hasMessageContaining("serve exited with 1")
                    .hasMessageContaining("courier: data directory " + dataDir)
                    .hasMessageContaining("is in use by another Courier server (pid " + second.pid() + ")")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\tat "));
            assertThat(api.get("/v1/me", bea.token()).status()).isEqualTo(200);
            second.terminate();
            assertThat(second.awaitExit(Duration.ofSeconds(60))).as(second.output()).isZero();
        }
        assertThat(ServeProcess.postgresOn(dataDir)).isEmpty();
    }
}
