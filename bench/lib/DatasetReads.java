import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The read side of bench/dataset.sh: one client on loopback, requests one after another, each timed from its send to
 * the end of its answer (System.nanoTime, keep-alive connections, as a client that has been running a while sees it).
 * Run with the server's jar on the class path (for Jackson): {@code java -cp courier.jar DatasetReads.java URL SAMPLES
 * PASSWORD [SPREAD_FILE]}. Prints one line per case: name, samples, p50, p99 and max in ms, and
 * what the answers held (to check that each read did what it says). Every case is first run SAMPLES/10 times
 * unmeasured, so that the pages it reads are in memory as on a server that has run for a while.
 */
public final class DatasetReads {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String url;
    private final String password;

    private DatasetReads(String url, String password) {
        this.url = url;
        this.password = password;
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int samples = Integer.parseInt(args[1]);
        DatasetReads reads = new DatasetReads(url, args[2]);
        String probe20 = reads.login("probe20");
        String probe500 = reads.login("probe500");
        String probe5000 = reads.login("probe5000");
        String reconnecting = reads.login("probereconnect");
        String historian = reads.login("probehistory");

        reads.measure("login", Math.max(20, samples / 4), () -> {
            reads.login("probe20");
            return 1;
        });
        reads.measure("list, user in 20 conversations", samples, () -> reads.listFirstPage(probe20));
        reads.measure("list, user in 500 conversations", samples, () -> reads.listFirstPage(probe500));
        reads.measure("list, user in 5,000 conversations", samples, () -> reads.listFirstPage(probe5000));
        reads.measure("stream ready, user in 20 conversations", samples / 2, () -> reads.streamReady(probe20));
        reads.measure("stream ready, user in 500 conversations", samples / 2, () -> reads.streamReady(probe500));
        reads.measure("stream ready, user in 5,000 conversations", samples / 2, () -> reads.streamReady(probe5000));
        long history = reads.onlyConversation(historian);
        reads.history("probe conversation", historian, history, samples);
        if (args.length > 3) {
            reads.spread(java.nio.file.Files.readAllLines(java.nio.file.Path.of(args[3])));
        }
        reads.measure("reconnect: stream ready, list, catch up", Math.max(20, samples / 2),
                () -> reads.reconnect(reconnecting));
    }

    /** Times {@code read} {@code samples} times after a tenth as many unmeasured; prints the line. */
    private void measure(String name, int samples, Supplier<Integer> read) {
        for (int i = 0; i < Math.max(5, samples / 10); i++) {
            read.get();
        }
        double[] ms = new double[samples];
        long held = 0;
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            held = read.get();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("%s\t%d\t%.1f\t%.1f\t%.1f\t%d%n", name, samples, percentile(ms, 0.50), percentile(ms, 0.99),
                ms[samples - 1], held);
    }

    /**
     * The newest and the oldest page of each of many conversations ({@code lines}: a conversation id, a tab, the token
     * of a member), each read once and not before: what the busiest conversations cost when their pages are not in
     * PostgreSQL's buffers from a read just before.
     */
    private void spread(List<String> lines) {
        List<String[]> conversations = lines.stream().filter(l -> !l.isBlank()).map(l -> l.split("\t")).toList();
        for (String which : List.of("newest", "oldest")) {
            double[] ms = new double[conversations.size()];
            long messages = 0;
            for (int i = 0; i < ms.length; i++) {
                String id = conversations.get(i)[0];
                String token = conversations.get(i)[1];
                String query = "/v1/conversations/" + id + "/messages?limit=50&";
                if (which.equals("newest")) {
                    messages = Math.max(messages, get(token, "/v1/conversations/" + id).get("lastSeq").asLong());
                }
                // the newest page without knowing lastSeq: before a seq no conversation reaches
                String page = which.equals("newest") ? query + "before=" + Long.MAX_VALUE : query + "after=0";
                long start = System.nanoTime();
                get(token, page);
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf("history, %s page, the %d busiest conversations, each once%s\t%d\t%.1f\t%.1f\t%.1f\t%d%n",
                    which, ms.length, which.equals("newest") ? " (up to " + messages + " messages)" : "", ms.length,
                    percentile(ms, 0.50), percentile(ms, 0.99), ms[ms.length - 1], messages);
        }
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private void history(String name, String token, long conversation, int samples) {
        long lastSeq = get(token, "/v1/conversations/" + conversation).get("lastSeq").asLong();
        String base = "/v1/conversations/" + conversation + "/messages?limit=50&";
        measure("history, newest page, " + name + " (" + lastSeq + " messages)", samples,
                () -> get(token, base + "before=" + (lastSeq + 1)).get("messages").size());
        measure("history, oldest page, " + name, samples, () -> get(token, base + "after=0").get("messages").size());
    }

    private int listFirstPage(String token) {
        JsonNode page = get(token, "/v1/conversations");
        int unread = 0;
        for (JsonNode c : page.get("conversations")) {
            unread += c.get("unread").asInt();
        }
        return unread;
    }

    private long onlyConversation(String token) {
        return get(token, "/v1/conversations").get("conversations").get(0).get("id").asLong();
    }

    /**
     * A client coming back: opens its stream and waits for {@code ready}, reads its first page of conversations, and
     * pages through the messages after its read marker in each one that has unread messages (500 a page, the most
     * the API gives). Returns how many messages it caught up with. The read markers stay where they are, so every
     * sample catches up with the same messages.
     */
    private int reconnect(String token) {
        WebSocket socket = openStream(token);
        try {
            int caughtUp = 0;
            for (JsonNode c : get(token, "/v1/conversations").get("conversations")) {
                if (c.get("unread").asInt() == 0) {
                    continue;
                }
                long after = c.get("readSeq").asLong();
                while (true) {
                    JsonNode page = get(token, "/v1/conversations/" + c.get("id").asLong() + "/messages?limit=500&after="
                            + after);
                    JsonNode messages = page.get("messages");
                    caughtUp += messages.size();
                    if (messages.isEmpty() || !page.get("hasMore").asBoolean()) {
                        break;
                    }
                    after = messages.get(messages.size() - 1).get("seq").asLong();
                }
            }
            return caughtUp;
        } finally {
            socket.abort();
        }
    }

    /** Opens a stream, waits for its {@code ready} and closes it; returns 1. */
    private int streamReady(String token) {
        openStream(token).abort();
        return 1;
    }

    /** A stream of {@code token}'s user, once its {@code ready} frame has arrived. */
    private WebSocket openStream(String token) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        WebSocket socket = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(url.replace("http", "ws") + "/v1/stream?access_token="
                        + URLEncoder.encode(token, StandardCharsets.UTF_8)), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            if (text.indexOf("\"ready\"") >= 0) {
                                ready.complete(null);
                            }
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        ready.completeExceptionally(error);
                    }
                }).join();
        try {
            ready.get(10, TimeUnit.SECONDS);
            return socket;
        } catch (Exception e) {
            socket.abort();
            throw new IllegalStateException("no ready frame", e);
        }
    }

    private String login(String username) {
        String body = JSON.createObjectNode().put("username", username).put("password", password).toString();
        return send(HttpRequest.newBuilder(URI.create(url + "/v1/sessions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), 201).get("token").asText();
    }

    private JsonNode get(String token, String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token).GET(), 200);
    }

    private static JsonNode send(HttpRequest.Builder request, int expected) {
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new IllegalStateException(response.request().uri().getPath() + " answered "
                        + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
